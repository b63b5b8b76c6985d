import { hashRefreshToken } from '../../auth/tokens'
import { DomainError } from '../../domain/decider'
import { refreshOutcome, sessionDecider, sessionStream, type SessionState } from '../../domain/identity/session'
import { effectiveStatus, userDecider, userStream } from '../../domain/identity/user'
import type { CommandContext } from '../context'
import { handleCommand, loadState } from '../handle'
import type { IdentityDeps } from './deps'
import { childToken, splitRefreshToken } from './login'

const invalid = () => new DomainError('invalid_refresh_token', 'The refresh token is not valid')

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
  if (!parsed) throw invalid()
  const stream = sessionStream(parsed.sessionId)
  const session = await loadState(deps.store, stream, sessionDecider)
  if (session.status === 'none') throw invalid()
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
      presented_hash: presented,
      child_hash: hashRefreshToken(child),
      grace_ms: deps.settings.refreshGraceMs,
      user,
      now,
    },
    { ...ctx, actor_id: session.user_id, actor_role: user.role },
  )
  const outcome = refreshOutcome(handled.before, presented, now, deps.settings.refreshGraceMs, user)
  if (outcome !== 'rotate' && outcome !== 'grace') throw invalid()
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
  await handleCommand(
    deps,
    stream,
    sessionDecider,
    { type: 'RevokeSession', reason: 'logout', now: deps.sources.now() },
    ctx,
  )
}

/** Ends every live session of a user (rejected, demoted, deactivated). */
export async function revokeUserSessions(deps: IdentityDeps, userId: string, ctx: CommandContext): Promise<void> {
  const live = await deps.db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute()
  for (const { id } of live) {
    await handleCommand(
      deps,
      sessionStream(id),
      sessionDecider,
      { type: 'RevokeSession', reason: 'user_changed', now: deps.sources.now() },
      ctx,
    )
  }
}
