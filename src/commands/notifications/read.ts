import type { Kysely } from 'kysely'
import type { Database } from '../../db/database'
import { notificationStream } from '../../domain/notifications/events'
import { notificationRefusals } from '../../domain/notifications/refusals'
import { newestUnreadSeq, notificationState } from '../../projections/notifications/queries'
import { markRead } from '../../projections/notifications/rows'
import type { ActorContext, CommandDeps } from '../context'
import { record } from '../handle'

export interface NotificationDeps extends CommandDeps {
  db: Kysely<Database>
}

/**
 * Reads are facts in the store, so a rebuild of the notifications projection
 * keeps them. The row is also updated here, after the append, so the member's
 * next list shows it read without waiting for the projection; the projection
 * then applies the same change (same time, same seq bound) again, harmlessly.
 * A notification that is not the member's is refused as not_found.
 */
export async function readNotification(
  deps: NotificationDeps,
  notificationId: string,
  ctx: ActorContext,
): Promise<void> {
  const userId = ctx.actor_id
  const row = await notificationState(deps.db, userId, notificationId)
  if (!row) throw notificationRefusals.notFound(notificationId)
  if (row.read) return
  const read_at = deps.sources.now().toISOString()
  await record(
    deps,
    notificationStream(userId),
    { type: 'NotificationRead', data: { user_id: userId, notification_id: notificationId, seq: row.seq, read_at } },
    ctx,
  )
  await markRead(deps.db, userId, read_at, row.seq, notificationId)
}

/** Marks read everything the member could have seen: rows up to the newest unread seq now. */
export async function readAllNotifications(deps: NotificationDeps, ctx: ActorContext): Promise<void> {
  const userId = ctx.actor_id
  const up_to_seq = await newestUnreadSeq(deps.db, userId)
  if (up_to_seq === undefined) return
  const read_at = deps.sources.now().toISOString()
  await record(
    deps,
    notificationStream(userId),
    { type: 'NotificationsReadAll', data: { user_id: userId, up_to_seq, read_at } },
    ctx,
  )
  await markRead(deps.db, userId, read_at, up_to_seq)
}
