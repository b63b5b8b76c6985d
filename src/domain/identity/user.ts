import { uuidV5 } from '../uuid'
import { type Decider, DomainError, assertNever } from '../decider'

/**
 * The user aggregate: one stream per normalised email. The user id is derived
 * from the email (a name-based UUID), so signup, login and the per-request
 * role check all find the stream without a read model that could lag, and
 * "one account per email" is the store's `no_stream`/revision check.
 */
export type Role = 'student' | 'admin'

export interface SignupRequested {
  type: 'SignupRequested'
  data: {
    user_id: string
    request_id: string
    email: string
    full_name: string
    password_hash: string
    requested_at: string
    expires_at: string
  }
}
export interface ApprovalDecided {
  type: 'ApprovalDecided'
  data: {
    user_id: string
    request_id: string
    decision: 'approved' | 'rejected'
    role: Role | null
    decided_by: string
    reason: string | null
    decided_at: string
  }
}
export interface ApprovalExpired {
  type: 'ApprovalExpired'
  data: { user_id: string; request_id: string; expired_at: string }
}
export interface UserRoleChanged {
  type: 'UserRoleChanged'
  data: { user_id: string; role: Role; previous_role: Role; changed_by: string; changed_at: string }
}
export interface UserDeactivated {
  type: 'UserDeactivated'
  data: { user_id: string; deactivated_by: string; reason: string | null; deactivated_at: string }
}
export type UserEvent = SignupRequested | ApprovalDecided | ApprovalExpired | UserRoleChanged | UserDeactivated

export interface Account {
  id: string
  email: string
  full_name: string
  password_hash: string
}
export interface Request {
  id: string
  requested_at: string
  expires_at: string
}
export type UserState =
  | { status: 'none' }
  | { status: 'pending'; account: Account; request: Request }
  | { status: 'approved'; account: Account; request: Request; role: Role }
  | { status: 'rejected'; account: Account; request: Request; reason: string | null }
  | { status: 'expired'; account: Account; request: Request }
  | { status: 'deactivated'; account: Account; request: Request; role: Role }

export type UserCommand =
  | {
      type: 'RequestSignup'
      user_id: string
      request_id: string
      email: string
      full_name: string
      password_hash: string
      now: Date
      timeout_ms: number
    }
  | {
      type: 'DecideApproval'
      request_id: string
      decision: 'approve' | 'reject'
      role: Role
      reason: string | null
      decided_by: string
      now: Date
    }
  | { type: 'ExpireApproval'; request_id: string; now: Date }
  | { type: 'ChangeRole'; role: Role; changed_by: string; now: Date }
  | { type: 'Deactivate'; deactivated_by: string; reason: string | null; now: Date }

// a fixed namespace: changing it would orphan every account
const NAMESPACE = Buffer.from('6f1c5b8e2a7d4c3b9e0f1a2b3c4d5e6f', 'hex')

/** RFC 4122 version-5 UUID of the normalised email. */
export function userIdForEmail(normalisedEmail: string): string {
  return uuidV5(NAMESPACE, normalisedEmail)
}

export const userStream = (userId: string) => `user-${userId}`

/** A pending request whose deadline has passed is expired, whether or not a job has said so yet. */
export function effectiveStatus(state: UserState, now: Date): UserState['status'] {
  if (state.status === 'pending' && now.getTime() >= Date.parse(state.request.expires_at)) return 'expired'
  return state.status
}

function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'SignupRequested': {
      const d = event.data
      return {
        status: 'pending',
        account: { id: d.user_id, email: d.email, full_name: d.full_name, password_hash: d.password_hash },
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

function decide(command: UserCommand, state: UserState): UserEvent[] {
  const now = command.now
  const at = now.toISOString()
  switch (command.type) {
    case 'RequestSignup': {
      const status = effectiveStatus(state, now)
      if (status !== 'none' && status !== 'expired')
        throw new DomainError('email_taken', 'An account with this email exists or is waiting for approval')
      const events: UserEvent[] = []
      // the deadline passed but no job has recorded it yet: record it first
      if (state.status === 'pending')
        events.push({
          type: 'ApprovalExpired',
          data: { user_id: state.account.id, request_id: state.request.id, expired_at: at },
        })
      events.push({
        type: 'SignupRequested',
        data: {
          user_id: command.user_id,
          request_id: command.request_id,
          email: command.email,
          full_name: command.full_name,
          password_hash: command.password_hash,
          requested_at: at,
          expires_at: new Date(now.getTime() + command.timeout_ms).toISOString(),
        },
      })
      return events
    }
    case 'DecideApproval': {
      if (state.status === 'none') throw new DomainError('not_found', 'No such approval request')
      if (state.request.id !== command.request_id)
        throw new DomainError('approval_expired', 'This request expired and was replaced by a newer one')
      const status = effectiveStatus(state, now)
      if (status === 'expired') throw new DomainError('approval_expired', 'The approval request has expired')
      if (status !== 'pending') throw new DomainError('already_decided', 'The approval request was already decided')
      const approved = command.decision === 'approve'
      return [
        {
          type: 'ApprovalDecided',
          data: {
            user_id: state.account.id,
            request_id: state.request.id,
            decision: approved ? 'approved' : 'rejected',
            role: approved ? command.role : null,
            decided_by: command.decided_by,
            reason: command.reason,
            decided_at: at,
          },
        },
      ]
    }
    case 'ExpireApproval':
      if (state.status !== 'pending' || state.request.id !== command.request_id) return []
      if (now.getTime() < Date.parse(state.request.expires_at)) return []
      return [
        { type: 'ApprovalExpired', data: { user_id: state.account.id, request_id: state.request.id, expired_at: at } },
      ]
    case 'ChangeRole':
      if (state.status !== 'approved') throw new DomainError('not_found', 'No active user')
      if (state.role === command.role) return []
      return [
        {
          type: 'UserRoleChanged',
          data: {
            user_id: state.account.id,
            role: command.role,
            previous_role: state.role,
            changed_by: command.changed_by,
            changed_at: at,
          },
        },
      ]
    case 'Deactivate':
      if (state.status === 'deactivated') return []
      if (state.status !== 'approved') throw new DomainError('not_found', 'No active user')
      return [
        {
          type: 'UserDeactivated',
          data: {
            user_id: state.account.id,
            deactivated_by: command.deactivated_by,
            reason: command.reason,
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
