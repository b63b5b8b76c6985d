import { type ActorMetadata, type Command, type Decider, assertNever } from '../decider'
import { identityRefusals } from './refusals'
import type { Role, UserEvent } from './user-events'

interface Account {
  id: string
  email: string
  full_name: string
  password_hash: string
  /** every approval request the account has made, oldest first */
  request_ids: string[]
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
export type UserCommand = RequestSignup | DecideApproval | ExpireApproval | ChangeRole | Deactivate

/** A pending request whose deadline has passed is expired, whether or not a job has said so yet. */
export function effectiveStatus(state: UserState, now: Date): UserState['status'] {
  if (state.status === 'pending' && now.getTime() >= Date.parse(state.request.expires_at)) return 'expired'
  return state.status
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
    default:
      return assertNever(event)
  }
}

function requestSignup({ data, metadata }: RequestSignup, state: UserState): UserEvent[] {
  const { now } = metadata
  const status = effectiveStatus(state, now)
  if (status !== 'none' && status !== 'expired') throw identityRefusals.emailTaken()
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
      if (state.status !== 'approved') throw identityRefusals.noActiveUser()
      return [
        {
          type: 'UserDeactivated',
          data: {
            user_id: state.account.id,
            deactivated_by: command.metadata.actor_id,
            reason: command.data.reason,
            deactivated_at: at,
          },
        },
      ]
    default:
      return assertNever(command)
  }
}

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  decide,
}
