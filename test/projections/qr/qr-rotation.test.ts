import t from 'tap'
import type { QrSessionEvent } from '../../../src/domain/qr/events'
import { qrSessionsProjection } from '../../../src/projections/qr/qr-sessions'
import { projection } from '../../helpers/projection-spec'

/** qr_sessions and rotations: the replaced row ends at valid_until (activeQrSessions, tested in test/api/qr). */

const SID = '0b6f4a52-8d43-4c2e-9a51-3f1d2c7e9b10'
const NEXT = '5d0c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a'
const EID = '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e'
const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'

const issued = (id: string, nonce: string, at: string, rotated_from?: string): QrSessionEvent => ({
  type: 'QrIssued',
  data: {
    qr_session_id: id,
    club_event_id: EID,
    nonce,
    issued_at: at,
    expires_at: new Date(Date.parse(at) + 60_000).toISOString(),
    key_id: '0123456789abcdef',
    issued_by: ADMIN,
    ...(rotated_from ? { rotated_from } : {}),
  },
})
const row = (id: string, nonce: string, at: string) => ({
  id,
  club_event_id: EID,
  nonce,
  key_id: '0123456789abcdef',
  issued_by: ADMIN,
  issued_at: at,
  expires_at: new Date(Date.parse(at) + 60_000).toISOString(),
  revoked_at: null,
  revoked_by: null,
})

t.test("a rotation sets the replaced row's valid_until; the next session is a row of its own", async (t) => {
  projection(t, qrSessionsProjection)
    .given([
      issued(SID, 'q3Zb8yL0cX1r9TfW2mKp4A', '2025-03-01T12:00:00.000Z'),
      {
        type: 'QrRotated',
        data: {
          qr_session_id: SID,
          club_event_id: EID,
          next_qr_session_id: NEXT,
          next_nonce: 'Zm9vYmFyYmF6cXV4cXV1eA',
          ttl_seconds: 60,
          key_id: '0123456789abcdef',
          rotated_by: ADMIN,
          rotated_at: '2025-03-01T12:00:50.000Z',
          valid_until: '2025-03-01T12:01:00.000Z',
        },
      },
      issued(NEXT, 'Zm9vYmFyYmF6cXV4cXV1eA', '2025-03-01T12:00:50.000Z', SID),
    ])
    .then({
      qr_sessions: [
        { ...row(SID, 'q3Zb8yL0cX1r9TfW2mKp4A', '2025-03-01T12:00:00.000Z'), valid_until: '2025-03-01T12:01:00.000Z' },
        row(NEXT, 'Zm9vYmFyYmF6cXV4cXV1eA', '2025-03-01T12:00:50.000Z'),
      ],
    })
})
