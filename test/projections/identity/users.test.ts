import t from 'tap'
import type { UserEvent } from '../../../src/domain/identity/user-events'
import { usersProjection } from '../../../src/projections/identity/users'
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
const decided = (decision: 'approved' | 'rejected', s: number): UserEvent => ({
  type: 'ApprovalDecided',
  data: {
    user_id: USER,
    request_id: 'r1',
    decision,
    role: decision === 'approved' ? 'student' : null,
    decided_by: ADMIN,
    reason: decision === 'rejected' ? 'not a member' : null,
    decided_at: at(s),
  },
})
const expired = (s: number): UserEvent => ({
  type: 'ApprovalExpired',
  data: { user_id: USER, request_id: 'r1', expired_at: at(s) },
})
const pending = {
  id: USER,
  email: 'ada@club.example.org',
  full_name: 'Ada Lovelace',
  role: null,
  status: 'pending',
  created_at: at(0),
  approved_at: null,
  updated_at: at(0),
  section: null,
  branch: null,
  year: null,
  bio: null,
  skills: [],
}

t.test('a signup is a pending account, and never its password hash', async (t) => {
  projection(t, usersProjection)
    .given([signup('r1', 0)])
    .then({ users: [pending] })
})

t.test('an approval gives the role and the time of approval', async (t) => {
  projection(t, usersProjection)
    .given([signup('r1', 0), decided('approved', 5)])
    .then({ users: [{ ...pending, role: 'student', status: 'approved', approved_at: at(5), updated_at: at(5) }] })
})

t.test('a rejection and an expiry change only the status', async (t) => {
  projection(t, usersProjection)
    .given([signup('r1', 0), decided('rejected', 5)])
    .then({ users: [{ ...pending, status: 'rejected', updated_at: at(5) }] })
  projection(t, usersProjection)
    .given([signup('r1', 0), expired(180)])
    .then({ users: [{ ...pending, status: 'expired', updated_at: at(180) }] })
})

t.test('a signup after an expired one reuses the row, as a fresh pending account', async (t) => {
  projection(t, usersProjection)
    .given([signup('r1', 0), expired(180), signup('r2', 300)])
    .then({ users: [{ ...pending, created_at: at(300), updated_at: at(300) }] })
})

t.test('a role change and a deactivation follow the account', async (t) => {
  const roleChanged: UserEvent = {
    type: 'UserRoleChanged',
    data: { user_id: USER, role: 'admin', previous_role: 'student', changed_by: ADMIN, changed_at: at(10) },
  }
  const deactivated: UserEvent = {
    type: 'UserDeactivated',
    data: { user_id: USER, deactivated_by: ADMIN, reason: null, deactivated_at: at(20) },
  }
  const approved = { ...pending, role: 'student', status: 'approved', approved_at: at(5) }
  projection(t, usersProjection)
    .given([signup('r1', 0), decided('approved', 5), roleChanged])
    .then({ users: [{ ...approved, role: 'admin', updated_at: at(10) }] })
  projection(t, usersProjection)
    .given([signup('r1', 0), decided('approved', 5), roleChanged, deactivated])
    .then({ users: [{ ...approved, role: 'admin', status: 'deactivated', updated_at: at(20) }] })
})

t.test('a reactivation, a profile and a removal follow the account; a new signup starts a blank profile', async (t) => {
  const approved = { ...pending, role: 'student', status: 'approved', approved_at: at(5) }
  const history: UserEvent[] = [
    signup('r1', 0),
    decided('approved', 5),
    { type: 'UserDeactivated', data: { user_id: USER, deactivated_by: ADMIN, reason: null, deactivated_at: at(20) } },
    {
      type: 'UserReactivated',
      data: { user_id: USER, role: 'student', reactivated_by: ADMIN, reactivated_at: at(30) },
    },
    {
      type: 'ProfileUpdated',
      data: {
        user_id: USER,
        changes: { full_name: 'Ada King', bio: 'Engines', skills: ['Maths'] },
        updated_by: USER,
        updated_at: at(40),
      },
    },
  ]
  const profiled = { ...approved, full_name: 'Ada King', bio: 'Engines', skills: ['Maths'], updated_at: at(40) }
  projection(t, usersProjection)
    .given(history)
    .then({ users: [profiled] })
  const removed: UserEvent = {
    type: 'UserRemoved',
    data: { user_id: USER, removed_by: ADMIN, reason: null, removed_at: at(50) },
  }
  projection(t, usersProjection)
    .given([...history, removed])
    .then({ users: [{ ...profiled, status: 'removed', updated_at: at(50) }] })
  projection(t, usersProjection)
    .given([...history, removed, signup('r2', 60)])
    .then({ users: [{ ...pending, created_at: at(60), updated_at: at(60) }] })
})

t.test('events of other streams leave the table alone', async (t) => {
  projection(t, usersProjection)
    .given([
      {
        type: 'SessionStarted',
        data: {
          session_id: 's',
          user_id: USER,
          role: 'student',
          refresh_token_hash: 'h',
          started_at: at(0),
          expires_at: at(9),
        },
      },
    ])
    .then({ users: [] })
})
