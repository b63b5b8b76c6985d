import { type Command, type Decider, assertNever } from '../decider'
import { identityRefusals } from './refusals'
import type { Role } from './user-events'

/**
 * A session is one refresh-token family. Only SHA-256 hashes of tokens are
 * stored. Each refresh spends the presented token and names its child; a
 * spent token presented again revokes the family (it was stolen or replayed),
 * except the immediate parent within the grace window: two tabs refreshing at
 * once both get the same child.
 */
export interface SessionStarted {
  type: 'SessionStarted'
  data: {
    session_id: string
    user_id: string
    role: Role
    refresh_token_hash: string
    started_at: string
    expires_at: string
  }
}
export interface SessionRefreshed {
  type: 'SessionRefreshed'
  data: {
    session_id: string
    user_id: string
    previous_token_hash: string
    refresh_token_hash: string
    refreshed_at: string
  }
}
export type RevokeReason = 'logout' | 'refresh_token_reuse' | 'expired' | 'user_changed'
export interface SessionRevoked {
  type: 'SessionRevoked'
  data: { session_id: string; user_id: string; reason: RevokeReason; revoked_at: string }
}
export type SessionEvent = SessionStarted | SessionRefreshed | SessionRevoked

/**
 * Whether a revocation also ends the session's access tokens at once. A role
 * or status change need not: every request reads the caller's current role
 * and status from their user stream, so their token keeps working, as what
 * they are now (a demoted admin is a student on the next request).
 */
export const endsAccessTokens = (reason: RevokeReason): boolean => reason !== 'user_changed'

interface Family {
  session_id: string
  user_id: string
  role: Role
  expires_at: string
  current_hash: string
  parent_hash: string | null
  rotated_at: string
  spent: string[]
}
export type SessionState =
  { status: 'none' } | ({ status: 'active' } & Family) | ({ status: 'revoked'; reason: RevokeReason } & Family)

export type StartSession = Command<
  'StartSession',
  { session_id: string; user_id: string; role: Role; refresh_token_hash: string; ttl_ms: number }
>
export type RefreshSession = Command<
  'RefreshSession',
  { presented_hash: string; child_hash: string; grace_ms: number; user: { status: string; role: Role | null } }
>
export type RevokeSession = Command<'RevokeSession', { reason: RevokeReason }>
export type SessionCommand = StartSession | RefreshSession | RevokeSession

export const sessionStream = (sessionId: string) => `session-${sessionId}`

export type RefreshOutcome = 'rotate' | 'grace' | 'reuse' | 'expired' | 'user_changed' | 'invalid'

/** What presenting this token means now. Pure, so handler and decider agree. */
export function refreshOutcome(
  state: SessionState,
  presented: string,
  now: Date,
  graceMs: number,
  user: { status: string; role: Role | null },
): RefreshOutcome {
  if (state.status !== 'active') return 'invalid'
  const known = presented === state.current_hash || presented === state.parent_hash || state.spent.includes(presented)
  if (!known) return 'invalid'
  if (now.getTime() >= Date.parse(state.expires_at)) return 'expired'
  // demoted, rejected or deactivated since the session began: end it
  if (user.status !== 'approved' || user.role !== state.role) return 'user_changed'
  if (presented === state.current_hash) return 'rotate'
  if (presented === state.parent_hash && now.getTime() - Date.parse(state.rotated_at) <= graceMs) return 'grace'
  return 'reuse'
}

function evolve(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'SessionStarted': {
      const d = event.data
      return {
        status: 'active',
        session_id: d.session_id,
        user_id: d.user_id,
        role: d.role,
        expires_at: d.expires_at,
        current_hash: d.refresh_token_hash,
        parent_hash: null,
        rotated_at: d.started_at,
        spent: [],
      }
    }
    case 'SessionRefreshed':
      if (state.status !== 'active') return state
      return {
        ...state,
        spent: state.parent_hash ? [...state.spent, state.parent_hash] : state.spent,
        parent_hash: state.current_hash,
        current_hash: event.data.refresh_token_hash,
        rotated_at: event.data.refreshed_at,
      }
    case 'SessionRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked', reason: event.data.reason }
    default:
      return assertNever(event)
  }
}

function decide(command: SessionCommand, state: SessionState): SessionEvent[] {
  const { now } = command.metadata
  const at = now.toISOString()
  switch (command.type) {
    case 'StartSession': {
      if (state.status !== 'none') throw identityRefusals.sessionExists()
      const d = command.data
      return [
        {
          type: 'SessionStarted',
          data: {
            session_id: d.session_id,
            user_id: d.user_id,
            role: d.role,
            refresh_token_hash: d.refresh_token_hash,
            started_at: at,
            expires_at: new Date(now.getTime() + d.ttl_ms).toISOString(),
          },
        },
      ]
    }
    case 'RefreshSession': {
      if (state.status !== 'active') throw identityRefusals.invalidRefreshToken()
      const d = command.data
      const revoke = (reason: RevokeReason): SessionEvent[] => [
        {
          type: 'SessionRevoked',
          data: { session_id: state.session_id, user_id: state.user_id, reason, revoked_at: at },
        },
      ]
      const outcome = refreshOutcome(state, d.presented_hash, now, d.grace_ms, d.user)
      switch (outcome) {
        case 'rotate':
          return [
            {
              type: 'SessionRefreshed',
              data: {
                session_id: state.session_id,
                user_id: state.user_id,
                previous_token_hash: d.presented_hash,
                refresh_token_hash: d.child_hash,
                refreshed_at: at,
              },
            },
          ]
        case 'grace':
          return []
        case 'reuse':
          return revoke('refresh_token_reuse')
        case 'expired':
          return revoke('expired')
        case 'user_changed':
          return revoke('user_changed')
        case 'invalid':
          throw identityRefusals.invalidRefreshToken()
        default:
          return assertNever(outcome)
      }
    }
    case 'RevokeSession':
      if (state.status !== 'active') return []
      return [
        {
          type: 'SessionRevoked',
          data: { session_id: state.session_id, user_id: state.user_id, reason: command.data.reason, revoked_at: at },
        },
      ]
    default:
      return assertNever(command)
  }
}

export const sessionDecider: Decider<SessionState, SessionCommand, SessionEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
}
