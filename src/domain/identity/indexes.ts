import type { DomainEvent } from '../decider'

/**
 * Index streams: how a command finds an aggregate from an id that does not
 * name its stream, in the store itself rather than in a read model that may
 * lag. Each entry is appended before the fact it indexes (an entry whose
 * fact never landed is ignored), so the fact is never unfindable.
 */

/** The account an approval request belongs to: deciding by request id reads the user's stream. */
export type ApprovalRequestIndexed = DomainEvent<'ApprovalRequestIndexed', { request_id: string; user_id: string }>

export const approvalRequestStream = (requestId: string) => `approval_request-${requestId}`

/** A session of an account: ending every session of a user finds them all. */
export type SessionIndexed = DomainEvent<'SessionIndexed', { user_id: string; session_id: string; expires_at: string }>

export const userSessionsStream = (userId: string) => `user_sessions-${userId}`
