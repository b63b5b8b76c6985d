import type { Kysely } from 'kysely'
import type { Database } from '../../db/database'
import { notificationStream } from '../../domain/notification/events'
import { markRead } from '../../projections/notification-rows'
import type { CommandContext, CommandDeps } from '../context'
import { record } from '../handle'

export interface NotificationDeps extends CommandDeps {
  db: Kysely<Database>
}

/**
 * Reads are facts in the store, so a rebuild of the notifications projection
 * keeps them. The row is also updated here, after the append, so the member's
 * next list shows it read without waiting for the projection; the projection
 * then applies the same change (same time, same seq bound) again, harmlessly.
 */
export async function readNotification(
  deps: NotificationDeps,
  userId: string,
  notificationId: string,
  ctx: CommandContext,
): Promise<'read' | 'not_found'> {
  const row = await deps.db
    .selectFrom('notifications')
    .select(['seq', 'read_at'])
    .where('id', '=', notificationId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (!row) return 'not_found'
  if (row.read_at) return 'read'
  const seq = Number(row.seq)
  const read_at = deps.sources.now().toISOString()
  await record(
    deps,
    notificationStream(userId),
    { type: 'NotificationRead', data: { user_id: userId, notification_id: notificationId, seq, read_at } },
    ctx,
  )
  await markRead(deps.db, userId, read_at, seq, notificationId)
  return 'read'
}

/** Marks read everything the member could have seen: rows up to the newest unread seq now. */
export async function readAllNotifications(deps: NotificationDeps, userId: string, ctx: CommandContext): Promise<void> {
  const row = await deps.db
    .selectFrom('notifications')
    .select((eb) => eb.fn.max('seq').as('up_to'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst()
  if (row?.up_to === null || row?.up_to === undefined) return
  const up_to_seq = Number(row.up_to)
  const read_at = deps.sources.now().toISOString()
  await record(
    deps,
    notificationStream(userId),
    { type: 'NotificationsReadAll', data: { user_id: userId, up_to_seq, read_at } },
    ctx,
  )
  await markRead(deps.db, userId, read_at, up_to_seq)
}
