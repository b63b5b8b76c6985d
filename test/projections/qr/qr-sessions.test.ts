import t from 'tap'
import type { QrSessionEvent } from '../../../src/domain/qr/events'
import { qrSessionsProjection } from '../../../src/projections/qr/qr-sessions'
import { projection } from '../../helpers/projection-spec'

const SID = '0b6f4a52-8d43-4c2e-9a51-3f1d2c7e9b10'
const EID = '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e'
const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'

const issued: QrSessionEvent = {
  type: 'QrIssued',
  data: {
    qr_session_id: SID,
    club_event_id: EID,
    nonce: 'q3Zb8yL0cX1r9TfW2mKp4A',
    issued_at: '2025-03-01T12:00:00.000Z',
    expires_at: '2025-03-01T12:01:00.000Z',
    key_id: '0123456789abcdef',
    issued_by: ADMIN,
  },
}
const row = {
  id: SID,
  club_event_id: EID,
  nonce: 'q3Zb8yL0cX1r9TfW2mKp4A',
  key_id: '0123456789abcdef',
  issued_by: ADMIN,
  issued_at: '2025-03-01T12:00:00.000Z',
  expires_at: '2025-03-01T12:01:00.000Z',
  revoked_at: null,
  revoked_by: null,
}

t.test('an issued QR session is a row with everything its payload is signed from', async (t) => {
  projection(t, qrSessionsProjection)
    .given([issued])
    .then({ qr_sessions: [row] })
})

t.test('a revocation records who and when', async (t) => {
  projection(t, qrSessionsProjection)
    .given([
      issued,
      {
        type: 'QrRevoked',
        data: { qr_session_id: SID, club_event_id: EID, revoked_by: ADMIN, revoked_at: '2025-03-01T12:00:30.000Z' },
      },
    ])
    .then({ qr_sessions: [{ ...row, revoked_at: '2025-03-01T12:00:30.000Z', revoked_by: ADMIN }] })
})
