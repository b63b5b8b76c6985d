import { sql } from 'kysely'
import type { Executor } from '../projection'

/** A club event as the members' figures count it; times in microseconds since the epoch, as PostgreSQL keeps them. */
export interface CalendarEvent {
  id: string
  startsUs: number
  endsUs: number
  cancelled: boolean
}

/** The club's events that are not deleted, in the order they end, at one version of club_calendar. */
export interface Calendar {
  /** null: club_calendar has no row yet (the calendar is then never kept) */
  version: string | null
  byId: ReadonlyMap<string, CalendarEvent>
  byEnd: readonly CalendarEvent[]
}

/**
 * The version of the calendar a query reads, as text: the counter the
 * club_events projection raises and the row's xmin, which moves too when a
 * rebuild copies the row in; NULL when the row is missing (a build has not
 * reached its first club event), and then nothing is kept.
 */
export const calendarVersion = sql<string | null>`(SELECT c.version::text || ':' || c.xmin::text FROM club_calendar c)`

/** A timestamptz column as microseconds since the epoch, exactly (extract gives numeric from PostgreSQL 14). */
export const micros = (column: string) => sql<string>`(extract(epoch FROM ${sql.ref(column)}) * 1000000)::bigint`

/**
 * Each database's calendar, kept by the executor that reads it (one per
 * database in a process; a transaction's executor keeps none worth having).
 * A request reads the version beside its own rows and loads the calendar
 * again only when the version moved: an event created, edited, called off or
 * deleted, a few times a day, where marks rewrite the club_events rows
 * constantly.
 */
const kept = new WeakMap<Executor, Calendar>()

/** The calendar at `version` (read in the caller's statement): kept, or loaded once more. */
export async function calendarAt(db: Executor, version: string | null): Promise<Calendar> {
  const calendar = kept.get(db)
  if (calendar && version !== null && calendar.version === version) return calendar
  const loaded = await loadCalendar(db)
  // a version read later than the caller's is still the newer calendar: what was kept is replaced by it
  if (loaded.version !== null) kept.set(db, loaded)
  return loaded
}

async function loadCalendar(db: Executor): Promise<Calendar> {
  // the version and the events in one statement: one snapshot
  const { rows } = await sql<{
    version: string | null
    id: string | null
    starts_us: string
    ends_us: string
    cancelled: boolean
  }>`SELECT ${calendarVersion} AS version, e.id, ${micros('e.starts_at')} AS starts_us,
            ${micros('e.ends_at')} AS ends_us, e.lifecycle = 'cancelled' AS cancelled
       FROM (SELECT 1) one
       LEFT JOIN club_events e ON e.deleted_at IS NULL
      ORDER BY e.ends_at, e.id`.execute(db)
  const byEnd = rows
    .filter((r) => r.id !== null)
    .map((r) => ({ id: r.id!, startsUs: Number(r.starts_us), endsUs: Number(r.ends_us), cancelled: r.cancelled }))
  return { version: rows[0]?.version ?? null, byId: new Map(byEnd.map((e) => [e.id, e])), byEnd }
}

/** Whether `e` is held by `nowUs`: started, and not called off. */
export const isHeld = (e: CalendarEvent, nowUs: number): boolean => e.startsUs <= nowUs && !e.cancelled

/**
 * The ends of the events held by `nowUs`, in order: what a member's count of
 * held events since joining is a binary search in.
 */
export function heldEnds(calendar: Calendar, nowUs: number): number[] {
  const ends: number[] = []
  for (const e of calendar.byEnd) if (isHeld(e, nowUs)) ends.push(e.endsUs)
  return ends
}

/** How many of the held events' `ends` (in order) are at or after `joinedUs`: the events held since a member joined. */
export function heldSince(ends: readonly number[], joinedUs: number): number {
  let lo = 0
  let hi = ends.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (ends[mid]! < joinedUs) lo = mid + 1
    else hi = mid
  }
  return ends.length - lo
}
