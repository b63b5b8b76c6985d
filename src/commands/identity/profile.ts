import type { ProfileChanges } from '../../domain/identity/profile'
import { userDecider } from '../../domain/identity/user'
import { userStream } from '../../domain/identity/user-events'
import { type ActorContext, commandMetadata } from '../context'
import { handleCommand } from '../handle'
import type { IdentityDeps } from './deps'

/** A member edits their own profile; the answer is the profile as the decision left it. */
export async function updateProfile(deps: IdentityDeps, changes: ProfileChanges, ctx: ActorContext) {
  const userId = ctx.actor_id
  const { after } = await handleCommand(
    deps,
    userStream(userId),
    userDecider,
    { type: 'UpdateProfile', data: { changes }, metadata: commandMetadata(ctx, deps.sources) },
    ctx,
  )
  if (after.status === 'none') throw new Error('unreachable: a profile decided for no account')
  return {
    id: after.account.id,
    email: after.account.email,
    full_name: after.account.full_name,
    ...after.account.profile,
    // the account's creation is its latest signup (the users read model's created_at)
    created_at: after.request.requested_at,
  }
}
