import type { ClubEventState } from '../../src/domain/club-events/state'
import type { Geofence } from '../../src/domain/club-events/events'

/** The ids and values the QR and mark-check tests share (pure: no service behind them). */
export const SID = '0b6f4a52-8d43-4c2e-9a51-3f1d2c7e9b10'
export const NEXT = '5d0c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a'
export const EID = '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e'
export const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'
export const OTHER_ADMIN = 'a0a0a0a0-0000-4000-8000-000000000002'
export const SECRET = 'current-qr-secret-0123456789abcdef0123456789abcdef'
export const NONCE = 'q3Zb8yL0cX1r9TfW2mKp4A'
export const NEXT_NONCE = 'Zm9vYmFyYmF6cXV4cXV1eA'

/** The club event the sessions belong to, running 11:00–13:00 on 1 March 2025. */
export const activeEvent = (geofence: Geofence | null = null): Extract<ClubEventState, { status: 'active' }> => ({
  status: 'active',
  club_event_id: EID,
  title: 'Intro to pandas',
  starts_at: '2025-03-01T11:00:00.000Z',
  ends_at: '2025-03-01T13:00:00.000Z',
  location: null,
  notes: null,
  description: null,
  geofence,
  lifecycle: 'scheduled',
  created_by: ADMIN,
  created_at: '2025-02-01T00:00:00.000Z',
})
