import type { Selectable } from 'kysely'
import type { NotificationsTable } from '../../db/database'
import type { NotificationType } from '../../domain/notifications/text'
import { type Keyset, type Page, keysetPage } from '../keyset'
import type { Executor } from '../projection'

/** Reads of the notifications table, shared by the REST routes, the live stream and the read commands. */
type Row = Selectable<NotificationsTable>

export interface NotificationView {
  id: string
  type: NotificationType
  title: string
  body: string
  data: Record<string, unknown>
  created_at: string
  read_at: string | null
}

function notificationView(r: Row): NotificationView {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    body: r.body,
    data: r.data ?? {},
    created_at: r.created_at.toISOString(),
    read_at: r.read_at?.toISOString() ?? null,
  }
}

export interface ListOptions {
  unread?: boolean
  after?: Keyset
  limit: number
}

/** A member's notifications, newest first. */
export async function pageNotifications(
  db: Executor,
  userId: string,
  opts: ListOptions,
): Promise<Page<NotificationView>> {
  let q = db.selectFrom('notifications').selectAll().where('user_id', '=', userId)
  if (opts.unread === true) q = q.where('read_at', 'is', null)
  if (opts.unread === false) q = q.where('read_at', 'is not', null)
  const order = {
    columns: ['created_at', 'id'] as [string, string],
    direction: 'desc' as const,
    keyOf: (r: Row) => ({ at: r.created_at, id: r.id }),
  }
  const { rows, next } = await keysetPage(q, order, opts.after, opts.limit)
  return { items: rows.map(notificationView), next }
}

/** Kept as rows change (notification_unread), never counted: a campus's admin has tens of thousands. */
export async function unreadCount(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notification_unread')
    .select('unread')
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row?.unread ?? 0
}

/** A notification as a live stream sends it: `seq` is the resume cursor (SSE id). */
export interface NotificationChange {
  seq: number
  notification: NotificationView
}

/** What a live stream has not sent yet: notifications changed after `seq`, oldest change first. */
export async function changedAfter(
  db: Executor,
  userId: string,
  seq: number,
  limit: number,
): Promise<NotificationChange[]> {
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('seq', '>', seq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ seq: Number(r.seq), notification: notificationView(r) }))
}

/** Where a stream without Last-Event-ID starts: after everything already there. */
export async function latestSeq(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(row?.seq ?? 0)
}

/** The version of one of the member's notifications, and whether they read it; undefined when it is not theirs. */
export async function notificationState(
  db: Executor,
  userId: string,
  id: string,
): Promise<{ seq: number; read: boolean } | undefined> {
  const row = await db
    .selectFrom('notifications')
    .select(['seq', 'read_at'])
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row && { seq: Number(row.seq), read: row.read_at !== null }
}

/** The newest version among the member's unread notifications: what "read all" covers. */
export async function newestUnreadSeq(db: Executor, userId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.max('seq').as('up_to'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst()
  return row?.up_to === null || row?.up_to === undefined ? undefined : Number(row.up_to)
}
