import { type Transaction, sql } from 'kysely'
import type { Database } from '../../db/database'
import {
  attendanceText,
  notificationId,
  type NotificationText,
  type NotificationType,
} from '../../domain/notifications/text'
import type { Executor } from '../projection'

/** Row writes of the notifications consumer; every one runs in the runner's transaction. */
type Trx = Transaction<Database>

export interface NewNotification extends NotificationText {
  id: string
  user_id: string
  type: NotificationType
  data: Record<string, unknown>
  at: string
  seq: number
}

/** A notice to insert: imported history may arrive read already. */
export type NoticeRow = NewNotification & { read_at?: string | null }

/** Rows at most per INSERT: ten parameters a row stay well under PostgreSQL's 65,535. */
const INSERT_ROWS = 1_000

/** Several at once, in one statement per thousand (a batch's notices); read_at set for history imported as read. */
export async function insertNotifications(trx: Trx, ns: NoticeRow[]): Promise<void> {
  for (let i = 0; i < ns.length; i += INSERT_ROWS)
    await trx
      .insertInto('notifications')
      .values(
        ns.slice(i, i + INSERT_ROWS).map((n) => ({
          id: n.id,
          user_id: n.user_id,
          type: n.type,
          title: n.title,
          body: n.body,
          data: JSON.stringify(n.data),
          created_at: new Date(n.at),
          updated_at: new Date(n.at),
          read_at: n.read_at ? new Date(n.read_at) : null,
          seq: n.seq,
        })),
      )
      .execute()
}

/** Adds each member's change to their unread count, in one statement. */
export async function addUnread(trx: Trx, changes: Map<string, number>): Promise<void> {
  const rows = [...changes].filter(([, n]) => n !== 0).map(([user_id, unread]) => ({ user_id, unread }))
  if (rows.length === 0) return
  await trx
    .insertInto('notification_unread')
    .values(rows)
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ unread: sql`notification_unread.unread + excluded.unread` }))
    .execute()
}

/** Who marked attendance at which club event: a batch's marks, in one statement. */
export async function addAttendees(trx: Trx, rows: { club_event_id: string; user_id: string }[]): Promise<void> {
  if (rows.length === 0) return
  await trx
    .insertInto('notification_attendees')
    .values(rows)
    .onConflict((oc) => oc.columns(['club_event_id', 'user_id']).doNothing())
    .execute()
}

export async function attendeesOf(trx: Trx, clubEventId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('notification_attendees')
    .select('user_id')
    .where('club_event_id', '=', clubEventId)
    .orderBy('user_id')
    .execute()
  return rows.map((r) => r.user_id)
}

export async function adminIds(trx: Trx): Promise<string[]> {
  return (await trx.selectFrom('notification_admins').select('user_id').orderBy('user_id').execute()).map(
    (r) => r.user_id,
  )
}

export async function setAdmin(trx: Trx, userId: string, isAdmin: boolean): Promise<void> {
  if (isAdmin)
    await trx
      .insertInto('notification_admins')
      .values({ user_id: userId })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute()
  else await trx.deleteFrom('notification_admins').where('user_id', '=', userId).execute()
}

/** The marks of one club event in one minute, gathered over a batch. */
export interface AttendanceWindow {
  club_event_id: string
  window_start: string
  created_by: string
  /** the club event's title at the last mark, as a one-by-one replay would have it */
  title: string
  count: number
  /** earliest and latest marked_at, in ms */
  first_at: number
  last_at: number
  /** ordinal of the last mark */
  seq: number
}

/**
 * Adds a batch's marks to the window's one notification. New activity makes it
 * unread again and moves its seq forward, so live streams send the new count.
 * Returns what that does to the owner's unread count: 1 for a new or a read
 * window, 0 for one still unread.
 */
export async function coalesceAttendance(trx: Trx, w: AttendanceWindow): Promise<number> {
  const id = notificationId('attendance', w.club_event_id, w.window_start)
  const existing = await trx
    .selectFrom('notifications')
    .select(['count', 'created_at', 'updated_at', 'read_at'])
    .where('id', '=', id)
    .executeTakeFirst()
  const count = (existing?.count ?? 0) + w.count
  const text = attendanceText(count, w.title, w.window_start)
  const data = JSON.stringify({
    club_event_id: w.club_event_id,
    club_event_title: w.title,
    window_start: w.window_start,
    count,
  })
  const row = {
    id,
    user_id: w.created_by,
    type: 'attendance_marked' as const,
    ...text,
    data,
    count,
    created_at: new Date(Math.min(existing?.created_at.getTime() ?? Infinity, w.first_at)),
    updated_at: new Date(Math.max(existing?.updated_at.getTime() ?? 0, w.last_at)),
    read_at: null,
    seq: w.seq,
  }
  await trx
    .insertInto('notifications')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        title: text.title,
        body: text.body,
        data,
        count,
        created_at: row.created_at,
        updated_at: row.updated_at,
        read_at: null,
        seq: w.seq,
      }),
    )
    .execute()
  return existing === undefined || existing.read_at !== null ? 1 : 0
}

/**
 * A read applies only to the version the member saw (seq at most `upTo`). The
 * rows it reads and the member's unread count change in one statement, so the
 * read command and the projection applying the same read later (which then
 * finds nothing unread) take the count down once between them.
 */
export async function markRead(
  db: Executor,
  userId: string,
  readAt: string,
  upTo: number,
  notification?: string,
): Promise<void> {
  await db
    .with('was_read', (db) => {
      let q = db
        .updateTable('notifications')
        .set({ read_at: new Date(readAt) })
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .where('seq', '<=', upTo)
      if (notification) q = q.where('id', '=', notification)
      return q.returning('id')
    })
    .updateTable('notification_unread')
    .set({ unread: sql`unread - (SELECT count(*) FROM was_read)` })
    .where('user_id', '=', userId)
    .execute()
}

/** The ordinal of the last event seen; the feed is replayed in one order, so ordinals are stable. */
export async function eventsSeen(trx: Trx): Promise<number> {
  const row = await trx.selectFrom('notification_feed').select('events_seen').where('id', '=', 1).executeTakeFirst()
  return Number(row?.events_seen ?? 0)
}

export async function setEventsSeen(trx: Trx, n: number): Promise<void> {
  await trx
    .insertInto('notification_feed')
    .values({ id: 1, events_seen: n })
    .onConflict((oc) => oc.column('id').doUpdateSet({ events_seen: n }))
    .execute()
}
