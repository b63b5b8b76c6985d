import { sql, type Kysely, type Selectable } from 'kysely'
import type { Database, NotificationsTable } from '../db/database'

/** Reads of the notifications table shared by the REST routes and the live stream. */
type Db = Kysely<Database>
type Row = Selectable<NotificationsTable>

export interface NotificationView {
  id: string
  type: string
  title: string
  body: string
  data: Record<string, unknown>
  created_at: string
  read_at: string | null
}

export function notificationView(r: Row): NotificationView {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    body: r.body,
    data: (r.data ?? {}) as Record<string, unknown>,
    created_at: r.created_at.toISOString(),
    read_at: r.read_at?.toISOString() ?? null,
  }
}

export interface ListOptions {
  unread?: boolean
  /** keyset: the last row of the previous page */
  after?: { created_at: Date; id: string }
  limit: number
}

/** Newest first; one row more than asked tells whether a next page exists. */
export async function listNotifications(
  db: Db,
  userId: string,
  opts: ListOptions,
): Promise<{ rows: Row[]; more: boolean }> {
  let q = db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit + 1)
  if (opts.unread === true) q = q.where('read_at', 'is', null)
  if (opts.unread === false) q = q.where('read_at', 'is not', null)
  if (opts.after) q = q.where(sql<boolean>`(created_at, id) < (${opts.after.created_at}, ${opts.after.id}::uuid)`)
  const rows = await q.execute()
  return { rows: rows.slice(0, opts.limit), more: rows.length > opts.limit }
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** What a live stream has not sent yet: rows changed after `seq`, oldest change first. */
export async function changedAfter(db: Db, userId: string, seq: number, limit: number): Promise<Row[]> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('seq', '>', seq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute()
}

/** Where a stream without Last-Event-ID starts: after everything already there. */
export async function latestSeq(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(row?.seq ?? 0)
}
