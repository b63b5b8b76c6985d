import type { DomainEvent } from '../decider'
import type { ProfileChanges } from './profile'
import { uuidV5 } from '../uuid'

/**
 * The user aggregate's events. One stream per normalised email: the user id is
 * derived from the email (a name-based UUID), so signup, login and the
 * per-request role check all find the stream without a read model that could
 * lag, and "one account per email" is the store's `no_stream`/revision check.
 */
export type Role = 'student' | 'admin'

export type SignupRequested = DomainEvent<
  'SignupRequested',
  {
    user_id: string
    request_id: string
    email: string
    full_name: string
    password_hash: string
    requested_at: string
    expires_at: string
  }
>
export type ApprovalDecided = DomainEvent<
  'ApprovalDecided',
  {
    user_id: string
    request_id: string
    decision: 'approved' | 'rejected'
    role: Role | null
    decided_by: string
    reason: string | null
    decided_at: string
  }
>
export type ApprovalExpired = DomainEvent<
  'ApprovalExpired',
  { user_id: string; request_id: string; expired_at: string }
>
export type UserRoleChanged = DomainEvent<
  'UserRoleChanged',
  { user_id: string; role: Role; previous_role: Role; changed_by: string; changed_at: string }
>
export type UserDeactivated = DomainEvent<
  'UserDeactivated',
  { user_id: string; deactivated_by: string; reason: string | null; deactivated_at: string }
>
/** Deactivation undone: the member is approved again, in the role they had. */
export type UserReactivated = DomainEvent<
  'UserReactivated',
  { user_id: string; role: Role; reactivated_by: string; reactivated_at: string }
>
/** A member taken off the club for good; the email may sign up again and wait for approval. */
export type UserRemoved = DomainEvent<
  'UserRemoved',
  { user_id: string; removed_by: string; reason: string | null; removed_at: string }
>
/** Only the fields that changed; `updated_by` is the member, or an admin editing for them. */
export type ProfileUpdated = DomainEvent<
  'ProfileUpdated',
  { user_id: string; changes: ProfileChanges; updated_by: string; updated_at: string }
>
export type UserEvent =
  | SignupRequested
  | ApprovalDecided
  | ApprovalExpired
  | UserRoleChanged
  | UserDeactivated
  | UserReactivated
  | UserRemoved
  | ProfileUpdated

// a fixed namespace: changing it would orphan every account
const NAMESPACE = Buffer.from('6f1c5b8e2a7d4c3b9e0f1a2b3c4d5e6f', 'hex')

/** RFC 4122 version-5 UUID of the normalised email. */
export function userIdForEmail(normalisedEmail: string): string {
  return uuidV5(NAMESPACE, normalisedEmail)
}

export const userStream = (userId: string) => `user-${userId}`
