import type { DomainEvent } from '../decider'

/**
 * A member read one notification. `seq` is the version they saw: a coalesced
 * notification that changed since (more attendance) stays unread, on every
 * replay, because the projection only marks rows whose seq is at most this.
 */
export type NotificationRead = DomainEvent<
  'NotificationRead',
  { user_id: string; notification_id: string; seq: number; read_at: string }
>

/** A member read everything up to `up_to_seq` (what their list showed them). */
export type NotificationsReadAll = DomainEvent<
  'NotificationsReadAll',
  { user_id: string; up_to_seq: number; read_at: string }
>

export type NotificationEvent = NotificationRead | NotificationsReadAll

/** One log stream per member: reads need no decision, so it is appended with `any`. */
export const notificationStream = (userId: string): string => `notifications-${userId}`
