import { type ActorMetadata, type Command, type Decider, assertNever } from '../decider'
import { type Profile, type ProfileChanges, emptyProfile, profileChanges } from './profile'
import { identityRefusals } from './refusals'
import type { Role, UserEvent } from './user-events'

interface Account {
  id: string
  email: string
  full_name: string
  password_hash: string
  /** every approval request the account has made, oldest first */
  request_ids: string[]
  profile: Profile
}
interface ApprovalRequest {
  id: string
  requested_at: string
  expires_at: string
}
export type UserState =
  | { status: 'none' }
  | { status: 'pending'; account: Account; request: ApprovalRequest }
  | { status: 'approved'; account: Account; request: ApprovalRequest; role: Role }
  | { status: 'rejected'; account: Account; request: ApprovalRequest; reason: string | null }
  | { status: 'expired'; account: Account; request: ApprovalRequest }
  | { status: 'deactivated'; account: Account; request: ApprovalRequest; role: Role }
  | { status: 'removed'; account: Account; request: ApprovalRequest }

export type RequestSignup = Command<
  'RequestSignup',
  { user_id: string; request_id: string; email: string; full_name: string; password_hash: string; timeout_ms: number }
>
export type DecideApproval = Command<
  'DecideApproval',
  { request_id: string; decision: 'approve' | 'reject'; role: Role; reason: string | null },
  ActorMetadata
>
export type ExpireApproval = Command<'ExpireApproval', { request_id: string }>
export type ChangeRole = Command<'ChangeRole', { role: Role }, ActorMetadata>
export type Deactivate = Command<'Deactivate', { reason: string | null }, ActorMetadata>
export type Reactivate = Command<'Reactivate', Record<string, never>, ActorMetadata>
/** The club's one button: deactivates an active member, reactivates a deactivated one, decided on the stream's state. */
export type ToggleActive = Command<'ToggleActive', Record<string, never>, ActorMetadata>
export type Remove = Command<'Remove', { reason: string | null }, ActorMetadata>
export type UpdateProfile = Command<'UpdateProfile', { changes: ProfileChanges }, ActorMetadata>
export type UserCommand =
  | RequestSignup
  | DecideApproval
  | ExpireApproval
  | ChangeRole
  | Deactivate
  | Reactivate
  | ToggleActive
  | Remove
  | UpdateProfile

/** A pending request whose deadline has passed is expired, whether or not a job has said so yet. */
export function effectiveStatus(state: UserState, now: Date): UserState['status'] {
  if (state.status === 'pending' && now.getTime() >= Date.parse(state.request.expires_at)) return 'expired'
  return state.status
}

/** An email is free for a new signup when it has no account, its request lapsed, or its member was removed. */
export function mayRequestSignup(state: UserState, now: Date): boolean {
  const status = effectiveStatus(state, now)
  return status === 'none' || status === 'expired' || status === 'removed'
}

function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'SignupRequested': {
      const d = event.data
      const earlier = state.status === 'none' ? [] : state.account.request_ids
      return {
        status: 'pending',
        account: {
          id: d.user_id,
          email: d.email,
          full_name: d.full_name,
          password_hash: d.password_hash,
          request_ids: [...earlier, d.request_id],
          // a new signup starts a new membership: nothing of a removed one carries over
          profile: emptyProfile(),
        },
        request: { id: d.request_id, requested_at: d.requested_at, expires_at: d.expires_at },
      }
    }
    case 'ApprovalDecided':
      if (state.status === 'none') return state
      return event.data.decision === 'approved'
        ? { status: 'approved', account: state.account, request: state.request, role: event.data.role ?? 'student' }
        : { status: 'rejected', account: state.account, request: state.request, reason: event.data.reason }
    case 'ApprovalExpired':
      return state.status === 'none' ? state : { status: 'expired', account: state.account, request: state.request }
    case 'UserRoleChanged':
      return state.status === 'approved' ? { ...state, role: event.data.role } : state
    case 'UserDeactivated':
      return state.status === 'approved'
        ? { status: 'deactivated', account: state.account, request: state.request, role: state.role }
        : state
    case 'UserReactivated':
      return state.status === 'deactivated'
        ? { status: 'approved', account: state.account, request: state.request, role: event.data.role }
        : state
    case 'UserRemoved':
      return state.status === 'approved' || state.status === 'deactivated'
        ? { status: 'removed', account: state.account, request: state.request }
        : state
    case 'ProfileUpdated': {
      if (state.status === 'none') return state
      const { full_name = state.account.full_name, ...profile } = event.data.changes
      return { ...state, account: { ...state.account, full_name, profile: { ...state.account.profile, ...profile } } }
    }
    default:
      return assertNever(event)
  }
}

function requestSignup({ data, metadata }: RequestSignup, state: UserState): UserEvent[] {
  const { now } = metadata
  if (!mayRequestSignup(state, now)) throw identityRefusals.emailTaken()
  const events: UserEvent[] = []
  // the deadline passed but no job has recorded it yet: record it first
  if (state.status === 'pending') {
    events.push({
      type: 'ApprovalExpired',
      data: { user_id: state.account.id, request_id: state.request.id, expired_at: now.toISOString() },
    })
  }
  events.push({
    type: 'SignupRequested',
    data: {
      user_id: data.user_id,
      request_id: data.request_id,
      email: data.email,
      full_name: data.full_name,
      password_hash: data.password_hash,
      requested_at: now.toISOString(),
      expires_at: new Date(now.getTime() + data.timeout_ms).toISOString(),
    },
  })
  return events
}

function decideApproval({ data, metadata }: DecideApproval, state: UserState): UserEvent[] {
  if (state.status === 'none' || !state.account.request_ids.includes(data.request_id))
    throw identityRefusals.noRequest()
  if (state.request.id !== data.request_id) throw identityRefusals.requestReplaced()
  const status = effectiveStatus(state, metadata.now)
  if (status === 'expired') throw identityRefusals.requestExpired()
  if (status !== 'pending') throw identityRefusals.alreadyDecided()
  const approved = data.decision === 'approve'
  return [
    {
      type: 'ApprovalDecided',
      data: {
        user_id: state.account.id,
        request_id: state.request.id,
        decision: approved ? 'approved' : 'rejected',
        role: approved ? data.role : null,
        decided_by: metadata.actor_id,
        reason: data.reason,
        decided_at: metadata.now.toISOString(),
      },
    },
  ]
}

type ByAdmin = Pick<Deactivate | Reactivate | ToggleActive | Remove, 'metadata'> & { data: { reason?: string | null } }

/** Another admin's decision: nobody locks themselves out of the portal by mistake. */
function notSelf(command: ByAdmin, userId: string): void {
  if (command.metadata.actor_id === userId) throw identityRefusals.notOnSelf()
}

function deactivate(command: ByAdmin, state: UserState): UserEvent[] {
  if (state.status !== 'approved') throw identityRefusals.noActiveUser()
  notSelf(command, state.account.id)
  return [
    {
      type: 'UserDeactivated',
      data: {
        user_id: state.account.id,
        deactivated_by: command.metadata.actor_id,
        reason: command.data.reason ?? null,
        deactivated_at: command.metadata.now.toISOString(),
      },
    },
  ]
}

function reactivate(command: ByAdmin, state: UserState): UserEvent[] {
  if (state.status !== 'deactivated') throw identityRefusals.noMember()
  return [
    {
      type: 'UserReactivated',
      data: {
        user_id: state.account.id,
        role: state.role,
        reactivated_by: command.metadata.actor_id,
        reactivated_at: command.metadata.now.toISOString(),
      },
    },
  ]
}

function remove(command: Remove, state: UserState): UserEvent[] {
  if (state.status === 'removed') return []
  if (state.status !== 'approved' && state.status !== 'deactivated') throw identityRefusals.noMember()
  if (state.role === 'admin') throw identityRefusals.adminNotRemovable()
  notSelf(command, state.account.id)
  return [
    {
      type: 'UserRemoved',
      data: {
        user_id: state.account.id,
        removed_by: command.metadata.actor_id,
        reason: command.data.reason,
        removed_at: command.metadata.now.toISOString(),
      },
    },
  ]
}

function updateProfile({ data, metadata }: UpdateProfile, state: UserState): UserEvent[] {
  if (state.status !== 'approved') throw identityRefusals.noActiveUser()
  const changes = profileChanges(data.changes, { ...state.account.profile, full_name: state.account.full_name })
  if (Object.keys(changes).length === 0) return []
  return [
    {
      type: 'ProfileUpdated',
      data: {
        user_id: state.account.id,
        changes,
        updated_by: metadata.actor_id,
        updated_at: metadata.now.toISOString(),
      },
    },
  ]
}

function decide(command: UserCommand, state: UserState): UserEvent[] {
  const at = command.metadata.now.toISOString()
  switch (command.type) {
    case 'RequestSignup':
      return requestSignup(command, state)
    case 'DecideApproval':
      return decideApproval(command, state)
    case 'ExpireApproval':
      if (state.status !== 'pending' || state.request.id !== command.data.request_id) return []
      if (command.metadata.now.getTime() < Date.parse(state.request.expires_at)) return []
      return [
        {
          type: 'ApprovalExpired',
          data: { user_id: state.account.id, request_id: state.request.id, expired_at: at },
        },
      ]
    case 'ChangeRole':
      if (state.status !== 'approved') throw identityRefusals.noActiveUser()
      if (state.role === command.data.role) return []
      return [
        {
          type: 'UserRoleChanged',
          data: {
            user_id: state.account.id,
            role: command.data.role,
            previous_role: state.role,
            changed_by: command.metadata.actor_id,
            changed_at: at,
          },
        },
      ]
    case 'Deactivate':
      if (state.status === 'deactivated') return []
      return deactivate(command, state)
    case 'Reactivate':
      if (state.status === 'approved') return []
      return reactivate(command, state)
    case 'ToggleActive':
      return state.status === 'deactivated' ? reactivate(command, state) : deactivate(command, state)
    case 'Remove':
      return remove(command, state)
    case 'UpdateProfile':
      return updateProfile(command, state)
    default:
      return assertNever(command)
  }
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
}
