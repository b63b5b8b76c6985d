import { identityRefusals } from '../../domain/identity/refusals'
import {
  type SessionEvent,
  type SessionState,
  refreshOutcome,
  sessionDecider,
  sessionStream,
} from '../../domain/identity/session'
import { effectiveStatus, userDecider } from '../../domain/identity/user'
import { userStream } from '../../domain/identity/user-events'
import { childToken, hashRefreshToken, splitRefreshToken } from '../../platform/auth/refresh-tokens'
import { type CommandContext, commandMetadata } from '../context'
import { handleCommand, loadState } from '../handle'
import type { IdentityDeps } from './deps'
import { unexpiredSessions } from './indexes'

/** Every API process stops taking the access tokens of a session revoked here (commands/identity/revoked-sessions.ts). */
async function announce(deps: IdentityDeps, events: SessionEvent[]): Promise<void> {
  for (const e of events) if (e.type === 'SessionRevoked') await deps.revocations.revoked(e.data)
}

async function currentUser(deps: IdentityDeps, userId: string, now: Date) {
  const user = await loadState(deps.store, userStream(userId), userDecider)
  return { status: effectiveStatus(user, now), role: user.status === 'approved' ? user.role : null }
}

/**
 * Rotates a refresh token. Ten tabs presenting one token at once all get the
 * same child: one append wins, the others retry, find the token is now the
 * immediate parent inside the grace window, and answer with the same child.
 */
export async function refresh(deps: IdentityDeps, token: string, ctx: CommandContext) {
  const parsed = splitRefreshToken(token)
  if (!parsed) throw identityRefusals.invalidRefreshToken()
  const stream = sessionStream(parsed.sessionId)
  const session = await loadState(deps.store, stream, sessionDecider)
  if (session.status === 'none') throw identityRefusals.invalidRefreshToken()
  // one instant for the whole request: the answer must be judged as the decider judged it
  const now = deps.sources.now()
  const user = await currentUser(deps, session.user_id, now)
  const presented = hashRefreshToken(token)
  const child = childToken(deps.refreshKey, token)
  const handled = await handleCommand(
    deps,
    stream,
    sessionDecider,
    {
      type: 'RefreshSession',
      data: {
        presented_hash: presented,
        child_hash: hashRefreshToken(child),
        grace_ms: deps.settings.refreshGraceMs,
        user,
      },
      metadata: { actor_id: session.user_id, now },
    },
    { ...ctx, actor_id: session.user_id, actor_role: user.role },
  )
  await announce(deps, handled.events)
  const outcome = refreshOutcome(handled.before, presented, now, deps.settings.refreshGraceMs, user)
  if (outcome !== 'rotate' && outcome !== 'grace') throw identityRefusals.invalidRefreshToken()
  const after = handled.after as Extract<SessionState, { status: 'active' }>
  const access = deps.tokens.signAccess({ sub: after.user_id, role: after.role, sid: after.session_id }, now)
  return {
    access_token: access.token,
    refresh_token: child,
    token_type: 'Bearer' as const,
    expires_in: access.expiresIn,
  }
}

/** Ends the caller's own session; anything else is answered the same way and changes nothing. */
export async function logout(deps: IdentityDeps, token: string, userId: string, ctx: CommandContext): Promise<void> {
  const parsed = splitRefreshToken(token)
  if (!parsed) return
  const stream = sessionStream(parsed.sessionId)
  const session = await loadState(deps.store, stream, sessionDecider)
  if (session.status !== 'active' || session.user_id !== userId) return
  const presented = hashRefreshToken(token)
  if (presented !== session.current_hash && presented !== session.parent_hash && !session.spent.includes(presented))
    return
  const command = {
    type: 'RevokeSession' as const,
    data: { reason: 'logout' as const },
    metadata: { actor_id: userId, now: deps.sources.now() },
  }
  await announce(deps, (await handleCommand(deps, stream, sessionDecider, command, ctx)).events)
}

/**
 * Ends every live session of a user (rejected, demoted, deactivated), found
 * in the store's index of the user's sessions: one started a moment ago is
 * ended too, whatever the sessions read model shows yet.
 */
export async function revokeUserSessions(deps: IdentityDeps, userId: string, ctx: CommandContext): Promise<void> {
  for (const id of await unexpiredSessions(deps.store, userId, deps.sources.now())) {
    const command = {
      type: 'RevokeSession' as const,
      data: { reason: 'user_changed' as const },
      metadata: commandMetadata(ctx, deps.sources),
    }
    await announce(deps, (await handleCommand(deps, sessionStream(id), sessionDecider, command, ctx)).events)
  }
}
