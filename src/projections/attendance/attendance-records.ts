import type { AttendanceMarked } from '../../domain/attendance/events'
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

/**
 * A member's own figures: the events held since they joined (started by `now`,
 * not ended before the signup) and any other they marked, and how many of
 * those they marked. One pass over club events with the member's own marks
 * joined (at most one each), never a scan of the event store.
 */
export async function memberFigures(
  db: Executor,
  userId: string,
  now: Date,
): Promise<{ total_events: number; attended: number }> {
  const joined = db.selectFrom('users').select('created_at').where('id', '=', userId)
  const row = await db
    .selectFrom('club_events as e')
    .leftJoin('attendance_records as a', (join) =>
      join.onRef('a.club_event_id', '=', 'e.id').on('a.user_id', '=', userId),
    )
    .select((eb) => [eb.fn.countAll<string>().as('total'), eb.fn.count<string>('a.id').as('attended')])
    .where('e.deleted_at', 'is', null)
    .where((eb) =>
      eb.or([eb('a.id', 'is not', null), eb.and([eb('e.starts_at', '<=', now), eb('e.ends_at', '>=', joined)])]),
    )
    .executeTakeFirstOrThrow()
  return { total_events: Number(row.total), attended: Number(row.attended) }
}
