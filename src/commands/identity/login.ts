import { createHmac } from 'node:crypto'
import { newRefreshToken, hashRefreshToken } from '../../auth/tokens'
import { DomainError } from '../../domain/decider'
import { normaliseEmail } from '../../domain/identity/email'
import { sessionDecider, sessionStream } from '../../domain/identity/session'
import {
  effectiveStatus,
  userDecider,
  userIdForEmail,
  userStream,
  type Role,
  type UserState,
} from '../../domain/identity/user'
import type { CommandContext } from '../context'
import { handleCommand, loadState, record } from '../handle'
import type { IdentityDeps } from './deps'

export const loginStream = (userId: string) => `login-${userId}`

export interface TokenPair {
  access_token: string
  refresh_token: string
  token_type: 'Bearer'
  expires_in: number
}

/** Refresh tokens are `<session id>.<secret>`: the session is found without a lookup table. */
export function splitRefreshToken(token: string): { sessionId: string } | null {
  const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/.exec(token)
  return m ? { sessionId: m[1]! } : null
}

/**
 * A token's child is derived from the token (HMAC under a server key), so a
 * replay of the immediate parent inside the grace window can be answered with
 * the very same child without ever storing a token in plain text.
 */
export function childToken(key: Buffer, token: string): string {
  const sessionId = token.slice(0, 36)
  return `${sessionId}.${createHmac('sha256', key).update(token).digest('base64url')}`
}

export function userSummary(state: Exclude<UserState, { status: 'none' }>, now: Date) {
  return {
    id: state.account.id,
    email: state.account.email,
    full_name: state.account.full_name,
    role: state.status === 'approved' || state.status === 'deactivated' ? state.role : null,
    status: effectiveStatus(state, now),
  }
}

function approvalRequestOf(state: Exclude<UserState, { status: 'none' }>, now: Date) {
  return { id: state.request.id, status: effectiveStatus(state, now), expires_at: state.request.expires_at }
}

const REFUSED: Record<string, string> = {
  pending: 'approval_pending',
  rejected: 'approval_rejected',
  expired: 'approval_expired',
  deactivated: 'account_deactivated',
}

/**
 * Every path costs one bcrypt compare (a dummy one for an unknown email), and
 * the approval state is told only once the password checked out.
 */
export async function login(deps: IdentityDeps, input: { email: string; password: string }, ctx: CommandContext) {
  const now = deps.sources.now()
  const email = normaliseEmail(input.email)
  const userId = email ? userIdForEmail(email) : null
  const state: UserState = userId ? await loadState(deps.store, userStream(userId), userDecider) : { status: 'none' }
  const failed = async (reason: string, code: string, details: Record<string, unknown> = {}) => {
    if (userId)
      await record(
        deps,
        loginStream(userId),
        {
          type: 'LoginFailed',
          data: {
            user_id: state.status === 'none' ? null : userId,
            email: email,
            reason,
            failed_at: now.toISOString(),
          },
        },
        { ...ctx, actor_id: state.status === 'none' ? null : userId },
      )
    else
      await record(
        deps,
        'login-invalid',
        { type: 'LoginFailed', data: { user_id: null, email: null, reason, failed_at: now.toISOString() } },
        ctx,
      )
    return new DomainError(
      code,
      code === 'invalid_credentials' ? 'Invalid email or password' : 'Login refused',
      details,
    )
  }
  if (state.status === 'none') {
    await deps.hasher.verifyDummy(input.password)
    throw await failed(email ? 'unknown_email' : 'invalid_email', 'invalid_credentials')
  }
  if (!(await deps.hasher.verify(input.password, state.account.password_hash)))
    throw await failed('wrong_password', 'invalid_credentials')
  const status = effectiveStatus(state, now)
  if (status !== 'approved' || state.status !== 'approved') {
    const code = REFUSED[status] ?? 'invalid_credentials'
    throw await failed(
      code,
      code,
      code === 'account_deactivated' ? {} : { approval_request: approvalRequestOf(state, now) },
    )
  }
  const pair = await startSession(deps, state.account.id, state.role, ctx)
  await record(
    deps,
    loginStream(state.account.id),
    {
      type: 'LoginSucceeded',
      data: { user_id: state.account.id, session_id: pair.session_id, logged_in_at: now.toISOString() },
    },
    { ...ctx, actor_id: state.account.id, actor_role: state.role },
  )
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
  await handleCommand(
    deps,
    sessionStream(sessionId),
    sessionDecider,
    {
      type: 'StartSession',
      session_id: sessionId,
      user_id: userId,
      role,
      refresh_token_hash: hashRefreshToken(refresh),
      ttl_ms: deps.settings.refreshTtlMs,
      now: deps.sources.now(),
    },
    { ...ctx, actor_id: userId, actor_role: role },
  )
  const access = deps.tokens.signAccess({ sub: userId, role, sid: sessionId }, deps.sources.now())
  return { session_id: sessionId, access_token: access.token, refresh_token: refresh, expires_in: access.expiresIn }
}
