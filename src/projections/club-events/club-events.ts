import { type RawBuilder, type Selectable, sql } from 'kysely'
import type { ClubEventsTable, GeofenceColumn } from '../../db/database'
import type { AttendanceMarked } from '../../domain/attendance/events'
import type { ClubEventEvent } from '../../domain/club-events/events'
import { type ClubEventLifecycle, INITIAL_LIFECYCLE } from '../../domain/club-events/lifecycle'
import { type Keyset, type Page, keysetPage } from '../keyset'
import type { Executor, Projection, RowChange } from '../projection'

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))

/**
 * The calendar's version moves with every change to an event but a mark
 * (club_calendar; the processes that keep the calendar read it: calendar.ts).
 */
const CALENDAR_MOVED: RowChange = {
  kind: 'upsert',
  table: 'club_calendar',
  row: { id: 1, version: 1 },
  key: ['id'],
  update: [],
  increment: ['version'],
}

/** club_events, with a running attendance count per event, and the version of the calendar they make. */
export const clubEventsProjection: Projection<ClubEventEvent | AttendanceMarked> = {
  name: 'club_events',
  tables: ['club_events', 'club_calendar'],
  canHandle: ['ClubEventCreated', 'ClubEventUpdated', 'ClubEventStatusChanged', 'ClubEventDeleted', 'AttendanceMarked'],
  project(e): RowChange[] {
    const changes = eventChanges(e)
    return e.type === 'AttendanceMarked' ? changes : [...changes, CALENDAR_MOVED]
  },
}

/** one club event's row, changed */
const eventUpdate = (
  id: string,
  set: Extract<RowChange, { kind: 'update'; table: 'club_events' }>['set'],
): RowChange => ({
  kind: 'update',
  table: 'club_events',
  where: { id },
  set,
})

function eventChanges(e: ClubEventEvent | AttendanceMarked): RowChange[] {
  switch (e.type) {
    case 'ClubEventCreated': {
      const d = e.data
      return [
        {
          kind: 'insert',
          table: 'club_events',
          row: {
            id: d.club_event_id,
            title: d.title,
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            location: d.location,
            notes: d.notes,
            // absent in events stored before descriptions existed
            description: d.description ?? null,
            geofence: json(d.geofence),
            // a status other than this follows in the same append (ClubEventStatusChanged)
            lifecycle: INITIAL_LIFECYCLE,
            created_by: d.created_by,
            created_at: d.created_at,
            updated_at: d.created_at,
            deleted_at: null,
          },
        },
      ]
    }
    case 'ClubEventUpdated': {
      const { geofence, ...changes } = e.data.changes
      const set = { ...changes, ...(geofence === undefined ? {} : { geofence: json(geofence) }) }
      return [eventUpdate(e.data.club_event_id, { ...set, updated_at: e.data.updated_at })]
    }
    case 'ClubEventStatusChanged':
      return [eventUpdate(e.data.club_event_id, { lifecycle: e.data.to, updated_at: e.data.changed_at })]
    case 'ClubEventDeleted':
      return [eventUpdate(e.data.club_event_id, { deleted_at: e.data.deleted_at, updated_at: e.data.deleted_at })]
    case 'AttendanceMarked':
      return [eventUpdate(e.data.club_event_id, { attendance_count: { increment: 1 } })]
  }
}

type Row = Selectable<ClubEventsTable>

export interface ClubEventView {
  id: string
  title: string
  starts_at: string
  ends_at: string
  location: string | null
  notes: string | null
  description: string | null
  geofence: GeofenceColumn | null
  /** the club's status of the event (its lifecycle) */
  status: ClubEventLifecycle
  created_by: string
  created_at: string
  attendance_count: number
}

function clubEventView(r: Row): ClubEventView {
  return {
    id: r.id,
    title: r.title,
    starts_at: r.starts_at.toISOString(),
    ends_at: r.ends_at.toISOString(),
    location: r.location,
    notes: r.notes,
    description: r.description,
    geofence: r.geofence ?? null,
    status: r.lifecycle,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    attendance_count: r.attendance_count,
  }
}

/** A club event members may see: deleted ones are hidden. */
export async function getClubEvent(db: Executor, id: string): Promise<ClubEventView | undefined> {
  const row = await db
    .selectFrom('club_events')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return row && clubEventView(row)
}

export interface ClubEventListOptions {
  when: 'upcoming' | 'past'
  now: Date
  after?: Keyset
  limit: number
}

/** Upcoming: soonest first, including those under way; past: latest first. */
export async function pageClubEvents(db: Executor, opts: ClubEventListOptions): Promise<Page<ClubEventView>> {
  const upcoming = opts.when === 'upcoming'
  const q = db
    .selectFrom('club_events')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('ends_at', upcoming ? '>=' : '<', opts.now)
  const order = {
    columns: ['starts_at', 'id'] as [string, string],
    direction: upcoming ? ('asc' as const) : ('desc' as const),
    keyOf: (r: Row) => ({ at: r.starts_at, id: r.id }),
  }
  const { rows, next } = await keysetPage(q, order, opts.after, opts.limit)
  return { items: rows.map(clubEventView), next }
}

/** The club's list: every event members may see, latest first, at most `limit` (its frontend does not page). */
export async function allClubEvents(db: Executor, limit: number): Promise<ClubEventView[]> {
  const rows = await db
    .selectFrom('club_events')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('starts_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return rows.map(clubEventView)
}

/**
 * A club event that took place by `now`: started, and not called off (a
 * cancelled event takes no attendance). The definition the dashboard's
 * averages count by in SQL; the members' figures count by the same one in
 * the process, from the calendar it keeps (calendar.ts, heldEnds), and their
 * test holds both to a join of every member to every event. `table` is the
 * alias the query gives club_events.
 */
export function heldBy(now: Date, table = 'club_events'): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${table}.starts_at`)} <= ${now} AND ${sql.ref(`${table}.lifecycle`)} <> 'cancelled')`
}

/**
 * How many of the times in `sorted` (a column holding an ascending
 * timestamptz array) are at or after `at`: all of them but those before it,
 * found by a binary search (width_bucket counts the times up to its operand; a
 * microsecond less makes that "before"). A NULL `at` is before them all. The
 * summary's ranking counts the held events since a member joined so, reading
 * the held events once, not once per member.
 */
export function countAtOrAfter(sorted: string, at: string): RawBuilder<number> {
  return sql<number>`(cardinality(${sql.ref(sorted)}) - coalesce(width_bucket(${sql.ref(at)} - interval '1 microsecond', ${sql.ref(sorted)}), 0))`
}
