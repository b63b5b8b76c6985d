import t, { type Test } from 'tap'
import { fold } from '../../../src/domain/decider'
import {
  refreshOutcome,
  sessionDecider,
  sessionStream,
  type RevokeReason,
  type SessionCommand,
  type SessionEvent,
  type SessionState,
} from '../../../src/domain/identity/session'
import type { Role } from '../../../src/domain/identity/user-events'
import { given } from '../../helpers/decider'

const SESSION = '33333333-3333-4333-8333-333333333333'
const USER = '44444444-4444-5444-8444-444444444444'
const T0 = new Date('2025-03-01T12:00:00.000Z')
const TTL = 7 * 86_400_000
const GRACE = 10_000
const at = (ms: number) => new Date(T0.getTime() + ms)
// stand-ins for SHA-256 hashes of tokens: h0 issued at login, h1 its child, h2 the grandchild
const [h0, h1, h2, h3] = ['h0', 'h1', 'h2', 'h3'].map((h) => h.padEnd(64, '0')) as [string, string, string, string]
const STUDENT = { status: 'approved', role: 'student' as Role }

const session = (t: Test, ...events: SessionEvent[]) => given(t, sessionDecider, events)

const started = (role: Role = 'student'): SessionEvent => ({
  type: 'SessionStarted',
  data: {
    session_id: SESSION,
    user_id: USER,
    role,
    refresh_token_hash: h0,
    started_at: T0.toISOString(),
    expires_at: at(TTL).toISOString(),
  },
})
const refreshed = (previous: string, next: string, when: Date): SessionEvent => ({
  type: 'SessionRefreshed',
  data: {
    session_id: SESSION,
    user_id: USER,
    previous_token_hash: previous,
    refresh_token_hash: next,
    refreshed_at: when.toISOString(),
  },
})
const revoked = (reason: RevokeReason, when: Date): SessionEvent => ({
  type: 'SessionRevoked',
  data: { session_id: SESSION, user_id: USER, reason, revoked_at: when.toISOString() },
})

const start = (now = T0): SessionCommand => ({
  type: 'StartSession',
  data: { session_id: SESSION, user_id: USER, role: 'student', refresh_token_hash: h0, ttl_ms: TTL },
  metadata: { actor_id: USER, now },
})
const refresh = (
  presented: string,
  child: string,
  now: Date,
  user: { status: string; role: Role | null } = STUDENT,
): SessionCommand => ({
  type: 'RefreshSession',
  data: { presented_hash: presented, child_hash: child, grace_ms: GRACE, user },
  metadata: { actor_id: USER, now },
})
const revoke = (now: Date, reason: RevokeReason = 'logout'): SessionCommand => ({
  type: 'RevokeSession',
  data: { reason },
  metadata: { actor_id: USER, now },
})

// h0 → h1 at +60 s → h2 at +120 s
const rotatedTwice = [started(), refreshed(h0, h1, at(60_000)), refreshed(h1, h2, at(120_000))]
const stateOf = (...events: SessionEvent[]): SessionState => fold(sessionDecider, events)

t.test('the stream of a session is session-<id>', async (t) => {
  t.equal(sessionStream(SESSION), `session-${SESSION}`)
})

t.test('StartSession', async (t) => {
  t.test('on no session records one that ends after the absolute TTL', async (t) => {
    const state = session(t).when(start()).then([started()])
    t.match(state, { status: 'active', current_hash: h0, parent_hash: null, expires_at: at(TTL).toISOString() })
  })
  t.test('on an existing session is refused: conflict', async (t) => {
    session(t, started()).when(start()).thenThrows('conflict')
  })
})

t.test('refreshOutcome says what presenting a token means', async (t) => {
  const s = stateOf(...rotatedTwice)
  t.test('rotate: the current token', async (t) => {
    t.equal(refreshOutcome(s, h2, at(130_000), GRACE, STUDENT), 'rotate')
    t.equal(refreshOutcome(stateOf(started()), h0, at(1), GRACE, STUDENT), 'rotate', 'the first token of a session')
  })
  t.test('grace: the immediate parent within the window, the boundary included', async (t) => {
    t.equal(refreshOutcome(s, h1, at(120_000), GRACE, STUDENT), 'grace', 'at once')
    t.equal(refreshOutcome(s, h1, at(120_000 + GRACE), GRACE, STUDENT), 'grace', 'exactly at the end of the window')
  })
  t.test('reuse: the parent after the window, or any older spent token however soon', async (t) => {
    t.equal(refreshOutcome(s, h1, at(120_000 + GRACE + 1), GRACE, STUDENT), 'reuse', 'one millisecond late')
    t.equal(refreshOutcome(s, h0, at(120_001), GRACE, STUDENT), 'reuse', 'the grandparent, inside the window')
    t.equal(refreshOutcome(s, h1, at(120_000), 0, STUDENT), 'grace', 'a zero window still covers the same instant')
    t.equal(refreshOutcome(s, h1, at(120_001), 0, STUDENT), 'reuse', 'a zero window: no grace after')
  })
  t.test('expired: a known token at or after the absolute end, however fresh the token', async (t) => {
    t.equal(refreshOutcome(s, h2, at(TTL), GRACE, STUDENT), 'expired', 'at the end')
    t.equal(refreshOutcome(s, h2, at(TTL - 1), GRACE, STUDENT), 'rotate', 'one millisecond before the end')
    t.equal(refreshOutcome(s, h0, at(TTL + 1), GRACE, STUDENT), 'expired', 'a spent token after the end')
  })
  t.test('user_changed: the user is no longer approved, or holds another role', async (t) => {
    t.equal(
      refreshOutcome(s, h2, at(130_000), GRACE, { status: 'deactivated', role: null }),
      'user_changed',
      'deactivated',
    )
    t.equal(refreshOutcome(s, h2, at(130_000), GRACE, { status: 'rejected', role: null }), 'user_changed', 'rejected')
    t.equal(
      refreshOutcome(s, h2, at(130_000), GRACE, { status: 'approved', role: 'admin' }),
      'user_changed',
      'promoted',
    )
    t.equal(refreshOutcome(stateOf(started('admin')), h0, at(1), GRACE, STUDENT), 'user_changed', 'demoted')
    t.equal(
      refreshOutcome(s, h1, at(120_000), GRACE, { status: 'deactivated', role: null }),
      'user_changed',
      'even in the grace window',
    )
  })
  t.test('invalid: an unknown token, or a session that is not active', async (t) => {
    t.equal(refreshOutcome(s, h3, at(130_000), GRACE, STUDENT), 'invalid', 'never issued')
    t.equal(
      refreshOutcome(s, h3, at(TTL + 1), GRACE, STUDENT),
      'invalid',
      'never issued, after the end: still invalid, not expired',
    )
    t.equal(
      refreshOutcome(stateOf(...rotatedTwice, revoked('logout', at(130_000))), h2, at(131_000), GRACE, STUDENT),
      'invalid',
      'revoked',
    )
    t.equal(refreshOutcome(stateOf(), h0, at(1), GRACE, STUDENT), 'invalid', 'no session')
  })
})

t.test('RefreshSession', async (t) => {
  t.test('rotate: the current token is spent and its child becomes current', async (t) => {
    const state = session(t, ...rotatedTwice)
      .when(refresh(h2, h3, at(130_000)))
      .then([refreshed(h2, h3, at(130_000))])
    t.match(state, {
      status: 'active',
      current_hash: h3,
      parent_hash: h2,
      spent: [h0, h1],
      rotated_at: at(130_000).toISOString(),
    })
  })
  t.test(
    'grace: the parent again inside the window records nothing (the caller answers with the same child)',
    async (t) => {
      session(t, ...rotatedTwice)
        .when(refresh(h1, h2, at(125_000)))
        .then([])
    },
  )
  t.test('reuse: a spent token revokes the whole session', async (t) => {
    const state = session(t, ...rotatedTwice)
      .when(refresh(h1, h2, at(120_000 + GRACE + 1)))
      .then([revoked('refresh_token_reuse', at(120_000 + GRACE + 1))])
    t.match(state, { status: 'revoked', reason: 'refresh_token_reuse' })
    t.equal(refreshOutcome(state, h2, at(131_000), GRACE, STUDENT), 'invalid', 'the thief and the owner are both out')
    session(t, ...rotatedTwice)
      .when(refresh(h0, h1, at(120_500)))
      .then([revoked('refresh_token_reuse', at(120_500))], 'the grandparent')
  })
  t.test('expired: the session is revoked as expired', async (t) => {
    session(t, ...rotatedTwice)
      .when(refresh(h2, h3, at(TTL)))
      .then([revoked('expired', at(TTL))])
  })
  t.test('user_changed: the session is revoked', async (t) => {
    session(t, ...rotatedTwice)
      .when(refresh(h2, h3, at(130_000), { status: 'approved', role: 'admin' }))
      .then([revoked('user_changed', at(130_000))])
  })
  t.test('invalid: refused with invalid_refresh_token and nothing recorded', async (t) => {
    session(t, ...rotatedTwice)
      .when(refresh(h3, 'x', at(130_000)))
      .thenThrows('invalid_refresh_token', 'an unknown token')
    session(t, ...rotatedTwice, revoked('logout', at(130_000)))
      .when(refresh(h2, h3, at(131_000)))
      .thenThrows('invalid_refresh_token', 'a revoked session')
    session(t)
      .when(refresh(h0, h1, at(1)))
      .thenThrows('invalid_refresh_token', 'no session')
  })
})

t.test('RevokeSession', async (t) => {
  t.test('ends an active session with the reason', async (t) => {
    const state = session(t, ...rotatedTwice)
      .when(revoke(at(130_000)))
      .then([revoked('logout', at(130_000))])
    t.match(state, { status: 'revoked', reason: 'logout' })
  })
  t.test('is idempotent: a revoked session stays revoked with its first reason', async (t) => {
    session(t, ...rotatedTwice, revoked('refresh_token_reuse', at(130_000)))
      .when(revoke(at(140_000), 'user_changed'))
      .then([])
  })
  t.test('on no session records nothing', async (t) => {
    session(t)
      .when(revoke(at(1)))
      .then([])
  })
})
