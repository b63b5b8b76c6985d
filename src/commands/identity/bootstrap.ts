import { DomainError } from '../../domain/decider'
import { normaliseEmail } from '../../domain/identity/email'
import { checkPassword } from '../../domain/identity/password-policy'
import { effectiveStatus, userDecider } from '../../domain/identity/user'
import { userIdForEmail, userStream } from '../../domain/identity/user-events'
import { SYSTEM_ACTOR } from '../../domain/decider'
import { SYSTEM_CONTEXT } from '../context'
import { handleCommand, loadState } from '../handle'
import type { IdentityDeps } from './deps'
import { indexApprovalRequest } from './indexes'

/**
 * Creates an approved admin for this email unless an account already exists
 * for it (then nothing changes: running it twice is harmless, and so is
 * running it in several processes at once). A run that stopped after the
 * signup is finished by the next one, if the password matches. There is never
 * a default admin: the email and password come from the operator.
 */
export async function createAdmin(
  deps: IdentityDeps,
  rawEmail: string,
  password: string,
  fullName = 'Administrator',
): Promise<'created' | 'exists'> {
  const email = normaliseEmail(rawEmail)
  if (!email) throw new DomainError('invalid_email', 'The admin email is not valid')
  const policy = checkPassword(password, { email, fullName, policy: deps.settings.passwordPolicy })
  if (!policy.ok) throw new DomainError('weak_password', `The admin password is refused: ${policy.message}`)
  const userId = userIdForEmail(email)
  const stream = userStream(userId)
  const existing = await loadState(deps.store, stream, userDecider)
  const status = effectiveStatus(existing, deps.sources.now())
  const ctx = { ...SYSTEM_CONTEXT, actor_id: SYSTEM_ACTOR }
  let requestId: string
  if (existing.status === 'pending' && status === 'pending') {
    // a bootstrap that stopped between its two steps, or one running in another process right now: finish it if it is ours
    if (!(await deps.hasher.verify(password, existing.account.password_hash))) return 'exists'
    requestId = existing.request.id
  } else if (status === 'none' || status === 'expired') {
    try {
      const request_id = deps.sources.uuid()
      await indexApprovalRequest(deps, { request_id, user_id: userId }, ctx)
      const { after } = await handleCommand(
        deps,
        stream,
        userDecider,
        {
          type: 'RequestSignup',
          data: {
            user_id: userId,
            request_id,
            email,
            full_name: fullName,
            password_hash: await deps.hasher.hash(password),
            timeout_ms: deps.settings.approvalTimeoutMs,
          },
          metadata: { actor_id: SYSTEM_ACTOR, now: deps.sources.now() },
        },
        ctx,
      )
      if (after.status !== 'pending') return 'exists'
      requestId = after.request.id
    } catch (err) {
      // several API processes starting at once: another one signed it up first
      if (err instanceof DomainError && err.code === 'email_taken') return 'exists'
      throw err
    }
  } else {
    return 'exists'
  }
  try {
    await handleCommand(
      deps,
      stream,
      userDecider,
      {
        type: 'DecideApproval',
        data: { request_id: requestId, decision: 'approve', role: 'admin', reason: 'bootstrap' },
        metadata: { actor_id: SYSTEM_ACTOR, now: deps.sources.now() },
      },
      ctx,
    )
  } catch (err) {
    // another process approved it first
    if (err instanceof DomainError && err.code === 'already_decided') return 'exists'
    throw err
  }
  return 'created'
}
