import t from 'tap'
import { legacyIdsProjection } from '../../../src/projections/legacy/legacy-ids'
import { projection } from '../../helpers/projection-spec'

const USER = '6f1c5b8e-2a7d-5c3b-9e0f-1a2b3c4d5e6f'
const EVENT = '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e'
const MARK = '8d2f3e4a-5b6c-5d7e-8f90-a1b2c3d4e5f6'

const imported = (table: string, id: string, at: string) => ({
  metadata: { legacy: { source: 'src1', schema: 'v1', table, id }, occurred_at: at },
})

const signup = {
  type: 'SignupRequested',
  data: {
    user_id: USER,
    request_id: '11111111-1111-4111-8111-111111111111',
    email: 'ada@example.org',
    full_name: 'Ada',
    password_hash: '$2b$04$x',
    requested_at: '2024-09-01T10:00:00.000Z',
    expires_at: '2024-09-01T10:03:00.000Z',
  },
}
const mark = {
  type: 'AttendanceMarked',
  data: {
    attendance_id: MARK,
    club_event_id: EVENT,
    user_id: USER,
    qr_session_id: '22222222-2222-4222-8222-222222222222',
    nonce: 'n',
    marked_at: '2024-09-05T18:01:00.000Z',
    location: null,
  },
}

t.test('an imported row is found by its legacy id: what it became, and when it happened', async (t) => {
  projection(t, legacyIdsProjection)
    .given([
      { ...signup, ...imported('users', '7', '2024-09-01T10:00:00.000Z') },
      { ...mark, ...imported('attendance_records', '7', '2024-09-05T18:01:00.000Z') },
    ])
    .then({
      legacy_ids: [
        {
          source: 'src1',
          legacy_table: 'users',
          legacy_id: '7',
          entity_type: 'user',
          entity_id: USER,
          occurred_at: '2024-09-01T10:00:00.000Z',
        },
        {
          source: 'src1',
          legacy_table: 'attendance_records',
          legacy_id: '7',
          entity_type: 'attendance',
          entity_id: MARK,
          occurred_at: '2024-09-05T18:01:00.000Z',
        },
      ],
    })
})

t.test('what happens here, not imported, has no legacy id', async (t) => {
  projection(t, legacyIdsProjection).given([signup, mark]).then({ legacy_ids: [] })
})

t.test('a legacy audit entry is found as the event that holds it; replayed, it is one row', async (t) => {
  const entry = {
    id: '33333333-3333-4333-8333-333333333333',
    type: 'LegacyAuditRecorded',
    data: {
      legacy_action: 'login_success',
      user_id: USER,
      legacy_user_id: '7',
      resource_type: 'user',
      resource_id: '7',
      details: {},
      occurred_at: '2024-09-01T11:00:00.000Z',
    },
    ...imported('audit_logs', 'a-1', '2024-09-01T11:00:00.000Z'),
  }
  projection(t, legacyIdsProjection)
    .given([entry, entry])
    .then({
      legacy_ids: [
        {
          source: 'src1',
          legacy_table: 'audit_logs',
          legacy_id: 'a-1',
          entity_type: 'audit_entry',
          entity_id: entry.id,
          occurred_at: '2024-09-01T11:00:00.000Z',
        },
      ],
    })
})
