import t from 'tap'
import type { UserEvent } from '../../../src/domain/identity/user-events'
import { approvalRequestsProjection } from '../../../src/projections/identity/approval-requests'
import { projection } from '../../helpers/projection-spec'

const USER = '11111111-1111-4111-8111-111111111111'
const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'
const at = (s: number) => new Date(Date.UTC(2025, 2, 1, 12, 0, s)).toISOString()

const signup = (request_id: string, s: number): UserEvent => ({
  type: 'SignupRequested',
  data: {
    user_id: USER,
    request_id,
    email: 'ada@club.example.org',
    full_name: 'Ada Lovelace',
    password_hash: '$2b$04$not-a-real-hash',
    requested_at: at(s),
    expires_at: at(s + 180),
  },
})
const request = (id: string, s: number) => ({
  id,
  user_id: USER,
  email: 'ada@club.example.org',
  full_name: 'Ada Lovelace',
  status: 'pending',
  requested_at: at(s),
  expires_at: at(s + 180),
  decided_at: null,
  decided_by: null,
  reason: null,
})

t.test('a signup is a pending request with its deadline', async (t) => {
  projection(t, approvalRequestsProjection)
    .given([signup('r1', 0)])
    .then({ approval_requests: [request('r1', 0)] })
})

t.test('a decision records who decided, when and why', async (t) => {
  projection(t, approvalRequestsProjection)
    .given([
      signup('r1', 0),
      {
        type: 'ApprovalDecided',
        data: {
          user_id: USER,
          request_id: 'r1',
          decision: 'rejected',
          role: null,
          decided_by: ADMIN,
          reason: 'not a member',
          decided_at: at(30),
        },
      },
    ])
    .then({
      approval_requests: [
        { ...request('r1', 0), status: 'rejected', decided_at: at(30), decided_by: ADMIN, reason: 'not a member' },
      ],
    })
})

t.test('an expiry closes its own request; a new signup opens another beside it', async (t) => {
  projection(t, approvalRequestsProjection)
    .given([
      signup('r1', 0),
      { type: 'ApprovalExpired', data: { user_id: USER, request_id: 'r1', expired_at: at(180) } },
      signup('r2', 300),
    ])
    .then({ approval_requests: [{ ...request('r1', 0), status: 'expired', decided_at: at(180) }, request('r2', 300)] })
})

t.test('a role change is not a decision', async (t) => {
  projection(t, approvalRequestsProjection)
    .given([
      signup('r1', 0),
      {
        type: 'UserRoleChanged',
        data: { user_id: USER, role: 'admin', previous_role: 'student', changed_by: ADMIN, changed_at: at(9) },
      },
    ])
    .then({ approval_requests: [request('r1', 0)] })
})
