import { DomainError } from '../../domain/decider'
import { normaliseEmail } from '../../domain/identity/email'
import { checkPassword } from '../../domain/identity/password-policy'
import { effectiveStatus, userDecider, userIdForEmail, userStream } from '../../domain/identity/user'
import type { CommandContext } from '../context'
import { handleCommand, loadState } from '../handle'
import type { IdentityDeps } from './deps'

export interface SignupInput {
  email: string
  password: string
  full_name: string
}

export async function requestSignup(deps: IdentityDeps, input: SignupInput, ctx: CommandContext) {
  const email = normaliseEmail(input.email)
  if (!email) throw new DomainError('invalid_email', 'The email address is not valid')
  const fullName = input.full_name.trim()
  if (fullName.length === 0 || fullName.length > 200 || /[\p{Cc}]/u.test(fullName))
    throw new DomainError('validation_error', 'full_name must be 1 to 200 printable characters')
  const policy = checkPassword(input.password)
  if (!policy.ok) throw new DomainError('weak_password', policy.message, { problem: policy.problem })

  const userId = userIdForEmail(email)
  const stream = userStream(userId)
  // refuse a taken email before paying for bcrypt; the append re-checks under concurrency
  const now = deps.sources.now()
  const status = effectiveStatus(await loadState(deps.store, stream, userDecider), now)
  if (status !== 'none' && status !== 'expired')
    throw new DomainError('email_taken', 'An account with this email exists or is waiting for approval')

  const passwordHash = await deps.hasher.hash(input.password)
  const { after } = await handleCommand(
    deps,
    stream,
    userDecider,
    {
      type: 'RequestSignup',
      user_id: userId,
      request_id: deps.sources.uuid(),
      email,
      full_name: fullName,
      password_hash: passwordHash,
      now: deps.sources.now(),
      timeout_ms: deps.settings.approvalTimeoutMs,
    },
    { ...ctx, actor_id: ctx.actor_id ?? userId },
  )
  if (after.status !== 'pending') throw new Error('signup did not leave the account pending')
  return {
    user: {
      id: after.account.id,
      email: after.account.email,
      full_name: after.account.full_name,
      status: 'pending' as const,
    },
    approval_request: { id: after.request.id, status: 'pending' as const, expires_at: after.request.expires_at },
  }
}
