import { type UserCommand, type UserState, userDecider } from '../../domain/identity/user'
import { userStream } from '../../domain/identity/user-events'
import { type ActorContext, commandMetadata } from '../context'
import { handleCommand } from '../handle'
import type { IdentityDeps } from './deps'
import { revokeUserSessions } from './sessions'

/** What a membership change left: the member, active or not, and whether anything changed. */
export interface MembershipChange {
  user_id: string
  is_active: boolean
  changed: boolean
}

type MembershipCommand = Extract<UserCommand, { type: 'Deactivate' | 'Reactivate' | 'ToggleActive' | 'Remove' }>

/**
 * Every membership change goes through here: decided on the user's stream,
 * and whenever it ends a membership (deactivated, removed), every session of
 * the member ends with it. The per-request check of the user's stream already
 * refuses them at once; revoking also stops their refresh tokens.
 */
async function changeMembership(
  deps: IdentityDeps,
  userId: string,
  command: Pick<MembershipCommand, 'type' | 'data'>,
  ctx: ActorContext,
): Promise<MembershipChange> {
  const { after, events } = await handleCommand(
    deps,
    userStream(userId),
    userDecider,
    { ...command, metadata: commandMetadata(ctx, deps.sources) } as MembershipCommand,
    ctx,
  )
  const ended = events.some((e) => e.type === 'UserDeactivated' || e.type === 'UserRemoved')
  if (ended) await revokeUserSessions(deps, userId, ctx)
  return { user_id: userId, is_active: isActive(after), changed: events.length > 0 }
}

const isActive = (state: UserState) => state.status === 'approved'

export function deactivateUser(
  deps: IdentityDeps,
  input: { user_id: string; reason?: string | null },
  ctx: ActorContext,
): Promise<MembershipChange> {
  return changeMembership(deps, input.user_id, { type: 'Deactivate', data: { reason: input.reason ?? null } }, ctx)
}

export function reactivateUser(deps: IdentityDeps, userId: string, ctx: ActorContext): Promise<MembershipChange> {
  return changeMembership(deps, userId, { type: 'Reactivate', data: {} }, ctx)
}

/** The club's toggle: the opposite of the state the append rests on, so concurrent toggles each flip it once, in turn. */
export function toggleMember(deps: IdentityDeps, userId: string, ctx: ActorContext): Promise<MembershipChange> {
  return changeMembership(deps, userId, { type: 'ToggleActive', data: {} }, ctx)
}

export function removeMember(
  deps: IdentityDeps,
  input: { user_id: string; reason?: string | null },
  ctx: ActorContext,
): Promise<MembershipChange> {
  return changeMembership(deps, input.user_id, { type: 'Remove', data: { reason: input.reason ?? null } }, ctx)
}
