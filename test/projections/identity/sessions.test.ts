import t from 'tap'
import type { SessionEvent } from '../../../src/domain/identity/session'
import { sessionsProjection } from '../../../src/projections/identity/sessions'
import { projection } from '../../helpers/projection-spec'

const SESSION = '33333333-3333-4333-8333-333333333333'
const USER = '44444444-4444-4444-8444-444444444444'
const at = (s: number) => new Date(Date.UTC(2025, 2, 1, 12, 0, s)).toISOString()

const started: SessionEvent = {
  type: 'SessionStarted',
  data: {
    session_id: SESSION,
    user_id: USER,
    role: 'student',
    refresh_token_hash: 'h0',
    started_at: at(0),
    expires_at: at(59),
  },
}
const live = {
  id: SESSION,
  user_id: USER,
  started_at: at(0),
  expires_at: at(59),
  last_refreshed_at: null,
  revoked_at: null,
  revoke_reason: null,
}

t.test('a started session is live, and no token hash is kept in the table', async (t) => {
  projection(t, sessionsProjection)
    .given([started])
    .then({ sessions: [live] })
})

t.test('a refresh records when; a revocation records when and why', async (t) => {
  projection(t, sessionsProjection)
    .given([
      started,
      {
        type: 'SessionRefreshed',
        data: {
          session_id: SESSION,
          user_id: USER,
          previous_token_hash: 'h0',
          refresh_token_hash: 'h1',
          refreshed_at: at(10),
        },
      },
      { type: 'SessionRevoked', data: { session_id: SESSION, user_id: USER, reason: 'logout', revoked_at: at(20) } },
    ])
    .then({ sessions: [{ ...live, last_refreshed_at: at(10), revoked_at: at(20), revoke_reason: 'logout' }] })
})
