import type { AttendanceMarked } from '../../domain/attendance/events'
import { heldBy } from '../club-events/club-events'
import type { Executor, Projection, RowChange } from '../projection'

/** attendance_records: what each member marked, for their history and the event roster. */
export const attendanceProjection: Projection<AttendanceMarked> = {
  name: 'attendance_records',
  tables: ['attendance_records'],
  canHandle: ['AttendanceMarked'],
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

/** Everyone who marked a club event, in the order they marked, with their names. */
export async function eventRoster(
  db: Executor,
  clubEventId: string,
): Promise<(AttendanceView & { full_name: string; email: string })[]> {
  const rows = await db
    .selectFrom('attendance_records as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.id', 'a.club_event_id', 'a.user_id', 'a.qr_session_id', 'a.marked_at', 'u.full_name', 'u.email'])
    .where('a.club_event_id', '=', clubEventId)
    .orderBy('a.marked_at', 'asc')
    .orderBy('a.id', 'asc')
    .execute()
  return rows.map((r) => ({ ...viewOf(r), full_name: r.full_name ?? '', email: r.email ?? '' }))
}

export interface MemberFigures {
  /** club events held since the member joined, and any earlier or later one they marked */
  total_events: number
  attended: number
}

/**
 * Members' own figures, for one member (F19) or a page of the directory: one
 * query for the page, each member's events counted from when they signed up.
 */
export async function membersFigures(
  db: Executor,
  userIds: readonly string[],
  now: Date,
): Promise<Map<string, MemberFigures>> {
  const out = new Map<string, MemberFigures>(userIds.map((id) => [id, { total_events: 0, attended: 0 }]))
  if (userIds.length === 0) return out
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('club_events as e', (join) => join.on('e.deleted_at', 'is', null))
    .leftJoin('attendance_records as a', (join) =>
      join.onRef('a.club_event_id', '=', 'e.id').onRef('a.user_id', '=', 'u.id'),
    )
    .select((eb) => ['u.id', eb.fn.countAll<string>().as('total'), eb.fn.count<string>('a.id').as('attended')])
    .where('u.id', 'in', userIds)
    .where((eb) =>
      eb.or([
        eb('a.id', 'is not', null),
        // held by now, and not over before they joined
        eb.and([heldBy(now, 'e'), eb('e.ends_at', '>=', eb.ref('u.created_at'))]),
      ]),
    )
    .groupBy('u.id')
    .execute()
  for (const r of rows) out.set(r.id, { total_events: Number(r.total), attended: Number(r.attended) })
  return out
}

export async function memberFigures(db: Executor, userId: string, now: Date): Promise<MemberFigures> {
  return (await membersFigures(db, [userId], now)).get(userId)!
}
