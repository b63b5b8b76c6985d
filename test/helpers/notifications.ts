import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { App } from '../../src/api/types'
import type { NotificationView } from '../../src/projections/notifications/queries'
import { attendanceStream } from '../../src/domain/attendance/events'
import type { Runtime } from '../../src/runtime'
import { eventually } from './eventually'
import { bearer } from './identity'

/** Tiny helpers shared by the notification tests. */

/** The wire shape is the route's own view. */
export type NotificationBody = NotificationView

export interface ListBody {
  items: NotificationBody[]
  unread_count: number
  next_cursor: string | null
}

export async function list(app: App, token: string, query = ''): Promise<ListBody> {
  const res = await app.inject({
    method: 'GET',
    url: `/api/notifications${query ? `?${query}` : ''}`,
    headers: bearer(token),
  })
  if (res.statusCode !== 200) throw new Error(`list ${res.statusCode} ${res.body}`)
  return res.json() as ListBody
}

/** Waits until `token`'s list holds a notification matching `match`, and returns it. */
export async function arrived(
  app: App,
  token: string,
  match: (n: NotificationBody) => boolean,
): Promise<NotificationBody> {
  let found: NotificationBody | undefined
  await eventually(async () => !!(found = (await list(app, token, 'limit=100')).items.find(match)))
  return found!
}

/** The rows of one user straight from the table (for users who cannot sign in). */
export async function rowsOf(runtime: Runtime, userId: string) {
  return runtime.db.kysely
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('seq')
    .execute()
}

/**
 * Waits until the notifications consumer has applied every event stored so
 * far. (The store's head() can lag behind while other transactions are open,
 * so count instead: the consumer counts the feed events it has seen.)
 */
export async function caughtUp(runtime: Runtime): Promise<void> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM es_events`.execute(runtime.db.kysely)
  const stored = Number(rows[0]!.n)
  await eventually(async () => {
    const row = await runtime.db.kysely.selectFrom('notification_feed').select('events_seen').executeTakeFirst()
    return Number(row?.events_seen ?? 0) >= stored
  })
}

/** Appends one AttendanceMarked straight to the store, as the mark command would (fast: no QR, no HTTP). */
export async function mark(runtime: Runtime, clubEventId: string, markedAt: Date): Promise<void> {
  const userId = randomUUID()
  const data = {
    attendance_id: randomUUID(),
    club_event_id: clubEventId,
    user_id: userId,
    qr_session_id: randomUUID(),
    nonce: randomBytes(16).toString('base64url'),
    marked_at: markedAt.toISOString(),
    location: null,
  }
  await runtime.store.append(
    attendanceStream(clubEventId, userId),
    [{ id: randomUUID(), type: 'AttendanceMarked', data, metadata: {} }],
    { expectedRevision: 'no_stream' },
  )
}

export const aboutUser = (userId: string) => (n: NotificationBody) => n.data.user_id === userId
