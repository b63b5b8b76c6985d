import { normaliseEmail } from '../../domain/identity/email'
import { type PasswordPolicy, checkPassword } from '../../domain/identity/password-policy'
import { validFullName } from '../../domain/identity/profile'
import { identityRefusals } from '../../domain/identity/refusals'
import { mayRequestSignup, userDecider } from '../../domain/identity/user'
import { userIdForEmail, userStream } from '../../domain/identity/user-events'
import { type CommandContext, commandMetadata } from '../context'
import { handleCommand, loadState } from '../handle'
import type { IdentityDeps } from './deps'
import { indexApprovalRequest } from './indexes'

export interface SignupInput {
  email: string
  password: string
  full_name: string
}

/** Checks what a person typed: the address, their name, the password policy (which weighs the first two). */
function validSignup(input: SignupInput, policy: PasswordPolicy): { email: string; fullName: string } {
  const email = normaliseEmail(input.email)
  if (!email) throw identityRefusals.invalidEmail()
  const fullName = validFullName(input.full_name)
  const check = checkPassword(input.password, { email, fullName, policy })
  if (!check.ok) throw identityRefusals.weakPassword(check.message, check.problem, check.suggestions)
  return { email, fullName }
}

export async function requestSignup(deps: IdentityDeps, input: SignupInput, ctx: CommandContext) {
  const { email, fullName } = validSignup(input, deps.settings.passwordPolicy)
  const userId = userIdForEmail(email)
  const stream = userStream(userId)
  // refuse a taken email before paying for bcrypt; the append re-checks under concurrency
  if (!mayRequestSignup(await loadState(deps.store, stream, userDecider), deps.sources.now()))
    throw identityRefusals.emailTaken()

  const passwordHash = await deps.hasher.hash(input.password)
  const requestId = deps.sources.uuid()
  const actor = { ...ctx, actor_id: ctx.actor_id ?? userId }
  await indexApprovalRequest(deps, { request_id: requestId, user_id: userId }, actor)
  const { after } = await handleCommand(
    deps,
    stream,
    userDecider,
    {
      type: 'RequestSignup',
      data: {
        user_id: userId,
        request_id: requestId,
        email,
        full_name: fullName,
        password_hash: passwordHash,
        timeout_ms: deps.settings.approvalTimeoutMs,
      },
      metadata: commandMetadata(ctx, deps.sources),
    },
    actor,
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
