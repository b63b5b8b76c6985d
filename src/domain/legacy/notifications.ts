import { chronologically } from './values'
import { redact } from '../audit/sanitize'
import { type NotificationEvent, notificationStream } from '../notifications/events'
import type { NotificationType } from '../notifications/text'
import { entityId } from './ids'
import type { PlanContext, PlannedEvent } from './plan-types'
import type { LegacyNotification } from './snapshot'
import type { UserMap } from './users'

/** The portal's notification types, onto ours where they mean the same. */
const TYPES: Record<string, NotificationType> = {
  signup_request: 'signup_requested',
  signup_requested: 'signup_requested',
  approval_approved: 'approval_approved',
  approved: 'approval_approved',
  approval_rejected: 'approval_rejected',
  rejected: 'approval_rejected',
  approval_timeout: 'approval_expired',
  approval_expired: 'approval_expired',
  timeout: 'approval_expired',
  attendance_marked: 'attendance_marked',
  event_cancelled: 'club_event_cancelled',
}

const dataOf = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (redact(v) as Record<string, unknown>) : {}

/** Each member's notifications, with their read state, appended to that member's notification log. */
export function planNotifications(ctx: PlanContext, notifications: LegacyNotification[], users: UserMap): void {
  const byUser = new Map<string, PlannedEvent[]>()
  const ordered = [...notifications].sort(chronologically((n) => n.created_at))
  for (const n of ordered) {
    if (n.recipient_id && users.skipped.has(n.recipient_id)) {
      ctx.report.skip('notifications', n.id, 'user_skipped', 'its recipient was not imported')
      continue
    }
    const user = n.recipient_id ? users.imported.get(n.recipient_id) : undefined
    if (!user || !n.created_at) {
      ctx.report.skip(
        'notifications',
        n.id,
        'orphan',
        user ? 'it has no readable time' : 'its recipient does not exist in the source',
      )
      continue
    }
    const id = entityId(ctx.opts.source, 'notifications', n.id)
    const type = TYPES[(n.type ?? '').toLowerCase()] ?? 'legacy_notice'
    const e: NotificationEvent = {
      type: 'NotificationImported',
      data: {
        notification_id: id,
        user_id: user.id,
        type,
        legacy_type: n.type,
        title: (n.title ?? 'Notification').slice(0, 300),
        body: n.message ?? '',
        data: dataOf(n.data),
        created_at: n.created_at,
        read_at: n.is_read ? (n.read_at ?? n.created_at) : null,
      },
    }
    byUser.set(user.id, [...(byUser.get(user.id) ?? []), ctx.event('notifications', n.id, 'imported', n.created_at, e)])
    ctx.report.imported('notifications')
    ctx.expect('notifications', 'notifications', id)
  }
  for (const [userId, events] of byUser)
    ctx.append({
      phase: 'notifications',
      stream: notificationStream(userId),
      expected: 'any',
      table: 'notifications',
      legacy_id: userId,
      events,
    })
}
