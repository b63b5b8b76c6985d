import { markedAmong } from '../../projections/attendance/attendance-records'
import { allClubEvents } from '../../projections/club-events/club-events'
import type { Runtime } from '../../runtime'
import { clubEventShape } from './club-shapes'

/** The club frontend does not page its event list: this many latest events at most. */
const CLUB_LIST_LIMIT = 1000

/**
 * Every event, past and upcoming, in the club's shape, latest first, each with
 * its status, its attendee count and whether `userId` attended it.
 */
export async function clubEventList(runtime: Runtime, userId: string) {
  const db = runtime.db.kysely
  const events = await allClubEvents(db, CLUB_LIST_LIMIT)
  const attended = await markedAmong(
    db,
    userId,
    events.map((e) => e.id),
  )
  const zone = runtime.config.club.timezone
  return events.map((e) => clubEventShape(e, { zone, attended: attended.has(e.id) }))
}
