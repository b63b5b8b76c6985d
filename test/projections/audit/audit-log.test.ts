import t from 'tap'
import { auditLogProjection } from '../../../src/projections/audit/audit-log'
import { projection } from '../../helpers/projection-spec'

const USER = '44444444-4444-4444-8444-444444444444'
const recorded_at = new Date('2025-03-01T12:00:00.000Z')
const metadata = {
  actor_id: USER,
  actor_role: 'student',
  ip: '203.0.113.9',
  user_agent: 'phone\nbrowser',
  request_id: 'req-1',
  correlation_id: 'req-1',
  causation_id: null,
}

const login = {
  id: '00000000-0000-4000-8000-0000000000aa',
  stream: `login-${USER}`,
  position: '7:42',
  recorded_at,
  metadata,
  type: 'LoginFailed',
  data: {
    user_id: USER,
    email: 'ada@club.example.org',
    reason: 'wrong_password',
    failed_at: recorded_at.toISOString(),
  },
}
const row = {
  id: login.id,
  at: recorded_at,
  position: '7:42',
  stream: `login-${USER}`,
  event_type: 'LoginFailed',
  action: 'authn_login_fail',
  outcome: 'failure',
  actor_id: USER,
  actor_role: 'student',
  target_type: 'user',
  target_id: USER,
  ip: '203.0.113.9',
  user_agent: 'phone\\u000abrowser',
  request_id: 'req-1',
  correlation_id: 'req-1',
  details: login.data,
}

t.test('every event is one row, named in the OWASP vocabulary, with who and from where', async (t) => {
  projection(t, auditLogProjection)
    .given([login])
    .then({ audit_log: [row] })
})

t.test('secrets are redacted and control characters escaped before the row is written', async (t) => {
  const signup = {
    id: '00000000-0000-4000-8000-0000000000bb',
    stream: `user-${USER}`,
    recorded_at,
    type: 'SignupRequested',
    data: { user_id: USER, full_name: 'Ada\u0007', password_hash: '$2b$12$secret' },
  }
  projection(t, auditLogProjection)
    .given([signup])
    .then({
      audit_log: [
        {
          id: signup.id,
          at: recorded_at,
          position: '1:1',
          stream: `user-${USER}`,
          event_type: 'SignupRequested',
          action: 'authn_signup_requested',
          outcome: 'success',
          actor_id: null,
          actor_role: null,
          target_type: 'user',
          target_id: USER,
          ip: null,
          user_agent: null,
          request_id: null,
          correlation_id: null,
          details: { user_id: USER, full_name: 'Ada\\u0007', password_hash: '[redacted]' },
        },
      ],
    })
})

t.test('an event handed over twice (a replayed batch) is still one row', async (t) => {
  projection(t, auditLogProjection)
    .given([login, login])
    .then({ audit_log: [row] })
})

t.test('an event type nobody told the audit log about still gets its row', async (t) => {
  const odd = { id: '00000000-0000-4000-8000-0000000000cc', type: 'SomethingNewHappened', data: { user_id: USER } }
  projection(t, auditLogProjection)
    .given([odd])
    .then({
      audit_log: [
        {
          ...row,
          id: odd.id,
          position: '1:1',
          stream: 'spec-0',
          event_type: 'SomethingNewHappened',
          action: 'event_something_new_happened',
          outcome: 'success',
          actor_id: null,
          actor_role: null,
          ip: null,
          user_agent: null,
          request_id: null,
          correlation_id: null,
          details: { user_id: USER },
        },
      ],
    })
})

t.test('imported history is shown when it happened in the original portal, naming its legacy row', async (t) => {
  const legacy = { source: 'src1', schema: 'v2', table: 'audit_logs', id: 'a-9' }
  const entry = {
    ...login,
    id: '00000000-0000-4000-8000-0000000000bb',
    stream: 'legacy_audit-src1',
    type: 'LegacyAuditRecorded',
    metadata: { ...metadata, actor_role: null, legacy, occurred_at: '2024-01-18T16:32:36.766Z' },
    data: {
      legacy_action: 'login_failed',
      user_id: USER,
      legacy_user_id: 'u-7',
      resource_type: 'user',
      resource_id: 'u-7',
      details: { email: 'ada@club.example.org', password: 'hunter2' },
      occurred_at: '2024-01-18T16:32:36.766Z',
    },
  }
  projection(t, auditLogProjection)
    .given([entry])
    .then({
      audit_log: [
        {
          ...row,
          id: entry.id,
          at: new Date('2024-01-18T16:32:36.766Z'),
          stream: 'legacy_audit-src1',
          event_type: 'LegacyAuditRecorded',
          action: 'legacy_login_failed',
          outcome: 'failure',
          actor_role: null,
          target_type: 'user',
          target_id: 'u-7',
          details: {
            ...entry.data,
            details: { email: 'ada@club.example.org', password: '[redacted]' },
            imported_from: legacy,
          },
        },
      ],
    })
})
