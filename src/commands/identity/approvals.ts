import type { Selectable } from 'kysely'
import type { ApprovalRequestsTable } from '../../db/database'
import { DomainError } from '../../domain/decider'
import { userDecider, userStream, type Role } from '../../domain/identity/user'
import type { CommandContext } from '../context'
import { handleCommand } from '../handle'
import type { IdentityDeps } from './deps'
import { revokeUserSessions } from './refresh'

export function approvalRequestView(row: Selectable<ApprovalRequestsTable>, now: Date) {
  // a pending request past its deadline is expired even before the job ran
  const status = row.status === 'pending' && row.expires_at.getTime() <= now.getTime() ? 'expired' : row.status
  return {
    id: row.id,
    user_id: row.user_id,
    email: row.email,
    full_name: row.full_name,
    status,
    requested_at: row.requested_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    decided_at: row.decided_at?.toISOString() ?? null,
    decided_by: row.decided_by,
    reason: row.reason,
  }
}

export async function decideApproval(
  deps: IdentityDeps,
  input: { request_id: string; decision: 'approve' | 'reject'; role?: Role; reason?: string | null },
  ctx: CommandContext & { actor_id: string },
) {
  const row = await deps.db
    .selectFrom('approval_requests')
    .select(['user_id'])
    .where('id', '=', input.request_id)
    .executeTakeFirst()
  if (!row) throw new DomainError('not_found', 'No such approval request')
  const { after } = await handleCommand(
    deps,
    userStream(row.user_id),
    userDecider,
    {
      type: 'DecideApproval',
      request_id: input.request_id,
      decision: input.decision,
      role: input.role ?? 'student',
      reason: input.reason ?? null,
      decided_by: ctx.actor_id,
      now: deps.sources.now(),
    },
    ctx,
  )
  if (after.status === 'none') throw new Error('unreachable: decided a request of no account')
  if (after.status === 'rejected') await revokeUserSessions(deps, row.user_id, ctx)
  const decided = after.status === 'approved' || after.status === 'rejected' ? after : undefined
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
    reason: decided && decided.status === 'rejected' ? decided.reason : null,
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
    { type: 'ExpireApproval', request_id: input.request_id, now: deps.sources.now() },
    ctx,
  )
  return events.length > 0
}

export async function changeRole(
  deps: IdentityDeps,
  input: { user_id: string; role: Role },
  ctx: CommandContext & { actor_id: string },
) {
  const { events } = await handleCommand(
    deps,
    userStream(input.user_id),
    userDecider,
    { type: 'ChangeRole', role: input.role, changed_by: ctx.actor_id, now: deps.sources.now() },
    ctx,
  )
  if (events.length) await revokeUserSessions(deps, input.user_id, ctx)
}

export async function deactivateUser(
  deps: IdentityDeps,
  input: { user_id: string; reason?: string | null },
  ctx: CommandContext & { actor_id: string },
) {
  const { events } = await handleCommand(
    deps,
    userStream(input.user_id),
    userDecider,
    { type: 'Deactivate', deactivated_by: ctx.actor_id, reason: input.reason ?? null, now: deps.sources.now() },
    ctx,
  )
  if (events.length) await revokeUserSessions(deps, input.user_id, ctx)
}
