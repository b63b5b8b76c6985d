import type { DomainError } from '../../domain/decider'
import { normaliseEmail } from '../../domain/identity/email'
import {
  INVALID_LOGIN_STREAM,
  type LoginFailed,
  type LoginSucceeded,
  loginStream,
} from '../../domain/identity/login-events'
import { identityRefusals } from '../../domain/identity/refusals'
import { sessionDecider, sessionStream } from '../../domain/identity/session'
import { type UserState, effectiveStatus, userDecider } from '../../domain/identity/user'
import { type Role, userIdForEmail, userStream } from '../../domain/identity/user-events'
import { hashRefreshToken, newRefreshToken } from '../../platform/auth/refresh-tokens'
import type { CommandContext } from '../context'
import { handleCommand, loadState, record } from '../handle'
import type { IdentityDeps } from './deps'
import { indexSession } from './indexes'

type Known = Exclude<UserState, { status: 'none' }>

function userSummary(state: Known, now: Date) {
  return {
    id: state.account.id,
    email: state.account.email,
    full_name: state.account.full_name,
    role: state.status === 'approved' || state.status === 'deactivated' ? state.role : null,
    status: effectiveStatus(state, now),
  }
}

function approvalRequestOf(state: Known, now: Date) {
  return { id: state.request.id, status: effectiveStatus(state, now), expires_at: state.request.expires_at }
}

/** Why an account whose password checked out may not sign in. */
const REFUSED = {
  pending: 'approval_pending',
  rejected: 'approval_rejected',
  expired: 'approval_expired',
  deactivated: 'account_deactivated',
  removed: 'account_removed',
} as const

/**
 * Every path costs one bcrypt compare (a dummy one for an unknown email), and
 * the approval state is told only once the password checked out. Every
 * attempt is recorded (LoginSucceeded, LoginFailed) for the audit log.
 */
export async function login(deps: IdentityDeps, input: { email: string; password: string }, ctx: CommandContext) {
  const now = deps.sources.now()
  const email = normaliseEmail(input.email)
  const userId = email ? userIdForEmail(email) : null
  const state: UserState = userId ? await loadState(deps.store, userStream(userId), userDecider) : { status: 'none' }
  const failed = async (reason: string, refusal: DomainError): Promise<DomainError> => {
    const known = state.status === 'none' ? null : userId
    const event: LoginFailed = {
      type: 'LoginFailed',
      data: { user_id: known, email: userId ? email : null, reason, failed_at: now.toISOString() },
    }
    if (userId) await record(deps, loginStream(userId), event, { ...ctx, actor_id: known })
    else await record(deps, INVALID_LOGIN_STREAM, event, ctx)
    return refusal
  }
  if (state.status === 'none') {
    await deps.hasher.verifyDummy(input.password)
    throw await failed(email ? 'unknown_email' : 'invalid_email', identityRefusals.invalidCredentials())
  }
  if (!(await deps.hasher.verify(input.password, state.account.password_hash)))
    throw await failed('wrong_password', identityRefusals.invalidCredentials())
  const status = effectiveStatus(state, now)
  if (status !== 'approved' || state.status !== 'approved') {
    if (status === 'approved' || status === 'none')
      throw await failed('invalid_credentials', identityRefusals.invalidCredentials())
    const code = REFUSED[status]
    const membershipEnded = code === 'account_deactivated' || code === 'account_removed'
    const details = membershipEnded ? {} : { approval_request: approvalRequestOf(state, now) }
    throw await failed(code, identityRefusals.loginRefused(code, details))
  }
  const pair = await startSession(deps, state.account.id, state.role, ctx)
  const succeeded: LoginSucceeded = {
    type: 'LoginSucceeded',
    data: { user_id: state.account.id, session_id: pair.session_id, logged_in_at: now.toISOString() },
  }
  await record(deps, loginStream(state.account.id), succeeded, {
    ...ctx,
    actor_id: state.account.id,
    actor_role: state.role,
  })
  return {
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    token_type: 'Bearer' as const,
    expires_in: pair.expires_in,
    user: userSummary(state, now),
  }
}

async function startSession(deps: IdentityDeps, userId: string, role: Role, ctx: CommandContext) {
  const sessionId = deps.sources.uuid()
  const refresh = `${sessionId}.${newRefreshToken().token}`
  const now = deps.sources.now()
  const expires_at = new Date(now.getTime() + deps.settings.refreshTtlMs).toISOString()
  const actor = { ...ctx, actor_id: userId, actor_role: role }
  await indexSession(deps, { user_id: userId, session_id: sessionId, expires_at }, actor)
  await handleCommand(
    deps,
    sessionStream(sessionId),
    sessionDecider,
    {
      type: 'StartSession',
      data: {
        session_id: sessionId,
        user_id: userId,
        role,
        refresh_token_hash: hashRefreshToken(refresh),
        ttl_ms: deps.settings.refreshTtlMs,
      },
      metadata: { actor_id: userId, now },
    },
    actor,
  )
  const access = deps.tokens.signAccess({ sub: userId, role, sid: sessionId }, deps.sources.now())
  return { session_id: sessionId, access_token: access.token, refresh_token: refresh, expires_in: access.expiresIn }
}
