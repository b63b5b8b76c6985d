import { sql } from 'kysely'
import type { AttendanceMarked } from '../../domain/attendance/events'
import { calendarAt, calendarVersion, heldEnds, heldSince, isHeld, micros } from '../club-events/calendar'
import { type Keyset, type Page, keysetPage } from '../keyset'
import type { Executor, Projection, RowChange } from '../projection'

/** attendance_records: what each member marked, for their history and the event roster. */
export const attendanceProjection: Projection<AttendanceMarked> = {
  name: 'attendance_records',
  tables: ['attendance_records'],
  canHandle: ['AttendanceMarked'],
  // inserts keyed by the mark's id and its one-per-member pair, which stay: a build makes the other three at the end
  deferIndexes: true,
  project(e): RowChange[] {
    const d = e.data
    return [
      {
        kind: 'insert',
        table: 'attendance_records',
        row: {
          id: d.attendance_id,
          club_event_id: d.club_event_id,
          user_id: d.user_id,
          qr_session_id: d.qr_session_id,
          marked_at: d.marked_at,
          location: d.location === null ? null : JSON.stringify(d.location),
        },
      },
    ]
  },
}

export interface AttendanceView {
  id: string
  event_id: string
  user_id: string
  qr_session_id: string
  marked_at: string
}

const viewOf = (r: { id: string; club_event_id: string; user_id: string; qr_session_id: string; marked_at: Date }) => ({
  id: r.id,
  event_id: r.club_event_id,
  user_id: r.user_id,
  qr_session_id: r.qr_session_id,
  marked_at: r.marked_at.toISOString(),
})

/** A member's own marks, newest first (at most 500), with each club event's title, start and notes. */
export async function memberAttendance(
  db: Executor,
  userId: string,
): Promise<(AttendanceView & { event_title: string; event_starts_at: string; event_notes: string | null })[]> {
  const rows = await db
    .selectFrom('attendance_records as a')
    .innerJoin('club_events as e', 'e.id', 'a.club_event_id')
    .select([
      'a.id',
      'a.club_event_id',
      'a.user_id',
      'a.qr_session_id',
      'a.marked_at',
      'e.title',
      'e.starts_at',
      'e.notes',
    ])
    .where('a.user_id', '=', userId)
    .orderBy('a.marked_at', 'desc')
    .limit(500)
    .execute()
  return rows.map((r) => ({
    ...viewOf(r),
    event_title: r.title,
    event_starts_at: r.starts_at.toISOString(),
    event_notes: r.notes,
  }))
}

/** Which of `clubEventIds` the member has marked. */
export async function markedAmong(db: Executor, userId: string, clubEventIds: string[]): Promise<Set<string>> {
  if (clubEventIds.length === 0) return new Set()
  const rows = await db
    .selectFrom('attendance_records')
    .select('club_event_id')
    .where('user_id', '=', userId)
    .where('club_event_id', 'in', clubEventIds)
    .execute()
  return new Set(rows.map((r) => r.club_event_id))
}

/** A line of a club event's roster: a mark with the name and email of who made it. */
export type RosterRow = AttendanceView & { full_name: string; email: string }

/**
 * A page of a club event's roster, in the order the marks came: the page is
 * read along the event's index, and only its members are looked up (a
 * campus's event has tens of thousands of marks, and the users table is big).
 */
export async function pageRoster(
  db: Executor,
  clubEventId: string,
  after: Keyset | undefined,
  limit: number,
): Promise<Page<RosterRow>> {
  const q = db
    .selectFrom('attendance_records as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.id', 'a.club_event_id', 'a.user_id', 'a.qr_session_id', 'a.marked_at', 'u.full_name', 'u.email'])
    .where('a.club_event_id', '=', clubEventId)
  const order = {
    columns: ['a.marked_at', 'a.id'] as [string, string],
    direction: 'asc' as const,
    keyOf: (r: { marked_at: Date; id: string }) => ({ at: r.marked_at, id: r.id }),
  }
  const { rows, next } = await keysetPage(q, order, after, limit)
  return { items: rows.map((r) => ({ ...viewOf(r), full_name: r.full_name ?? '', email: r.email ?? '' })), next }
}

/** The whole roster, page by page (a CSV streams it; nothing holds it all). */
export async function* rosterPages(db: Executor, clubEventId: string, after?: Keyset): AsyncGenerator<RosterRow[]> {
  for (let cursor = after; ;) {
    const page = await pageRoster(db, clubEventId, cursor, 1000)
    if (page.items.length > 0) yield page.items
    if (!page.next) return
    cursor = page.next
  }
}

/** Every mark of a club event (the club's roster page shows them all at once). */
export async function eventRoster(db: Executor, clubEventId: string): Promise<RosterRow[]> {
  const all: RosterRow[] = []
  for await (const page of rosterPages(db, clubEventId)) all.push(...page)
  return all
}

export interface MemberFigures {
  /** club events held since the member joined, and any earlier or later one they marked */
  total_events: number
  attended: number
}

/**
 * Members' own figures, for one member (F19) or a page of the directory, each
 * member's events counted from when they signed up: the events held since
 * then, plus any other event they marked. One statement reads each member's
 * signup and marked events and the calendar's version; the calendar itself
 * (2,000 events at a campus) is kept in the process under that version
 * (club-events/calendar.ts) and the figures counted here. Counting the held
 * events in PostgreSQL read their 2,000 rows on every page, rows the marks
 * keep rewriting (PostgreSQL's work per page 1.44 ms against 0.11 for the
 * page itself, bench:scale); joining every member to every club event probed
 * the marks 100,000 times for a page of 50.
 */
export async function membersFigures(
  db: Executor,
  userIds: readonly string[],
  now: Date,
): Promise<Map<string, MemberFigures>> {
  const out = new Map<string, MemberFigures>(userIds.map((id) => [id, { total_events: 0, attended: 0 }]))
  if (userIds.length === 0) return out
  const { rows } = await sql<{ version: string | null; id: string; joined_us: string; marked: string[] }>`
    SELECT ${calendarVersion} AS version, u.id, ${micros('u.created_at')} AS joined_us,
           ARRAY(SELECT a.club_event_id FROM attendance_records a WHERE a.user_id = u.id) AS marked
      FROM users u
     WHERE u.id = ANY(${userIds}::uuid[])`.execute(db)
  if (rows.length === 0) return out
  const calendar = await calendarAt(db, rows[0]!.version)
  const nowUs = now.getTime() * 1000
  const ends = heldEnds(calendar, nowUs)
  for (const r of rows) {
    const joinedUs = Number(r.joined_us)
    let attended = 0
    let markedElsewhen = 0
    for (const id of r.marked) {
      const e = calendar.byId.get(id)
      if (!e) continue // a deleted event counts for nobody
      attended++
      if (!(isHeld(e, nowUs) && e.endsUs >= joinedUs)) markedElsewhen++
    }
    out.set(r.id, { total_events: heldSince(ends, joinedUs) + markedElsewhen, attended })
  }
  return out
}

export async function memberFigures(db: Executor, userId: string, now: Date): Promise<MemberFigures> {
  return (await membersFigures(db, [userId], now)).get(userId)!
}
