import { identityRefusals } from '../../domain/identity/refusals'
import { userDecider } from '../../domain/identity/user'
import { type Role, userStream } from '../../domain/identity/user-events'
import { type ActorContext, type CommandContext, commandMetadata } from '../context'
import { handleCommand } from '../handle'
import type { IdentityDeps } from './deps'
import { requestOwner } from './indexes'
import { revokeUserSessions } from './sessions'

export async function decideApproval(
  deps: IdentityDeps,
  input: { request_id: string; decision: 'approve' | 'reject'; role?: Role; reason?: string | null },
  ctx: ActorContext,
) {
  // from the store, never a read model that may not have the request yet
  const userId = await requestOwner(deps.store, input.request_id)
  if (!userId) throw identityRefusals.noRequest()
  const { after } = await handleCommand(
    deps,
    userStream(userId),
    userDecider,
    {
      type: 'DecideApproval',
      data: {
        request_id: input.request_id,
        decision: input.decision,
        role: input.role ?? 'student',
        reason: input.reason ?? null,
      },
      metadata: commandMetadata(ctx, deps.sources),
    },
    ctx,
  )
  if (after.status === 'none') throw new Error('unreachable: decided a request of no account')
  if (after.status === 'rejected') await revokeUserSessions(deps, userId, ctx)
  return {
    id: after.request.id,
    user_id: after.account.id,
    email: after.account.email,
    full_name: after.account.full_name,
    status: after.status,
    role: after.status === 'approved' ? after.role : null,
    requested_at: after.request.requested_at,
    expires_at: after.request.expires_at,
    decided_at: deps.sources.now().toISOString(),
    decided_by: ctx.actor_id,
    reason: after.status === 'rejected' ? after.reason : null,
  }
}

/** The timeout job and the sweep: appends ApprovalExpired if the request is still pending past its deadline. */
export async function expireApproval(
  deps: IdentityDeps,
  input: { user_id: string; request_id: string },
  ctx: CommandContext,
): Promise<boolean> {
  const { events } = await handleCommand(
    deps,
    userStream(input.user_id),
    userDecider,
    {
      type: 'ExpireApproval',
      data: { request_id: input.request_id },
      metadata: commandMetadata(ctx, deps.sources),
    },
    ctx,
  )
  return events.length > 0
}

export async function changeRole(deps: IdentityDeps, input: { user_id: string; role: Role }, ctx: ActorContext) {
  const { events } = await handleCommand(
    deps,
    userStream(input.user_id),
    userDecider,
    { type: 'ChangeRole', data: { role: input.role }, metadata: commandMetadata(ctx, deps.sources) },
    ctx,
  )
  if (events.length) await revokeUserSessions(deps, input.user_id, ctx)
}
