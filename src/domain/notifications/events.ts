import type { DomainEvent } from '../decider'
import type { NotificationType } from './text'

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

/**
 * A notification the original portal had sent, brought in by the import
 * (docs/migration.md) with its words and its read state as they were.
 */
export type NotificationImported = DomainEvent<
  'NotificationImported',
  {
    notification_id: string
    user_id: string
    type: NotificationType
    /** the portal's own name for it, kept when ours differs */
    legacy_type: string | null
    title: string
    body: string
    data: Record<string, unknown>
    created_at: string
    read_at: string | null
  }
>

export type NotificationEvent = NotificationRead | NotificationsReadAll | NotificationImported

/** One log stream per member: reads need no decision, so it is appended with `any`. */
export const notificationStream = (userId: string): string => `notifications-${userId}`
