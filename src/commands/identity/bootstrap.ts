import { DomainError, fold } from '../../domain/decider'
import { normaliseEmail } from '../../domain/identity/email'
import { checkPassword } from '../../domain/identity/password-policy'
import { userDecider, userIdForEmail, userStream, type UserEvent } from '../../domain/identity/user'
import { SYSTEM_CONTEXT } from '../context'
import { handleCommand } from '../handle'
import type { IdentityDeps } from './deps'

/** The actor of what the system does by itself (bootstrap, expiry). */
export const SYSTEM_ACTOR = '00000000-0000-0000-0000-000000000000'

/**
 * Creates an approved admin for this email unless an account already exists
 * for it (then nothing changes: running it twice is harmless). There is never
 * a default admin: the email and password come from the operator.
 */
export async function createAdmin(deps: IdentityDeps, rawEmail: string, password: string, fullName = 'Administrator'): Promise<'created' | 'exists'> {
  const email = normaliseEmail(rawEmail)
  if (!email) throw new DomainError('invalid_email', 'The admin email is not valid')
  const policy = checkPassword(password)
  if (!policy.ok) throw new DomainError('weak_password', `The admin password is refused: ${policy.message}`)
  const userId = userIdForEmail(email)
  const stream = userStream(userId)
  const existing = fold(userDecider, (await deps.store.readStream(stream)) as unknown as UserEvent[])
  if (existing.status !== 'none') return 'exists'
  const ctx = { ...SYSTEM_CONTEXT, actor_id: SYSTEM_ACTOR }
  const { after } = await handleCommand(
    deps,
    stream,
    userDecider,
    { type: 'RequestSignup', user_id: userId, request_id: deps.sources.uuid(), email, full_name: fullName, password_hash: await deps.hasher.hash(password), now: deps.sources.now(), timeout_ms: deps.settings.approvalTimeoutMs },
    ctx,
  )
  if (after.status !== 'pending') return 'exists'
  await handleCommand(deps, stream, userDecider, { type: 'DecideApproval', request_id: after.request.id, decision: 'approve', role: 'admin', reason: 'bootstrap', decided_by: SYSTEM_ACTOR, now: deps.sources.now() }, ctx)
  return 'created'
}
