import { Type } from '@sinclair/typebox'
import type { ClubEventView } from '../../projections/club-events/club-events'
import { zonedIso } from '../../platform/wall-clock'
import { ClubEvent } from './schemas'

/**
 * A club event as the club's frontend reads it (docs/club-frontend.md): ours
 * plus its names. `scheduled_at` is the start in the club's zone, so its edit
 * form, which splits the time off at the T, shows the club's wall clock.
 * `status` is the event's own, as an admin last set it: a scheduled event
 * whose day has passed still says scheduled (the frontend derives nothing
 * when a status is given). `attendee_count` is everyone's marks, `attended`
 * the caller's own.
 */
export const ClubListEvent = Type.Object({
  ...ClubEvent.properties,
  scheduled_at: Type.String(),
  /** the start again: the member dashboard reads `date || event_date`, and `date` would fill the admin's date field whole */
  event_date: Type.String(),
  is_deleted: Type.Boolean(),
  event_type: Type.String(),
  attendance_count: Type.Integer(),
  attendee_count: Type.Integer(),
  attended: Type.Boolean(),
  user_attended: Type.Boolean(),
})

export const ClubEventAnswer = Type.Object({
  ...ClubListEvent.properties,
  event: Type.Object({ ...ClubEvent.properties, attendance_count: Type.Optional(Type.Integer()) }),
})

type Stored = Omit<ClubEventView, 'attendance_count'> & { attendance_count?: number }

export function clubEventShape(e: Stored, opts: { zone: string; attended?: boolean }) {
  const count = e.attendance_count ?? 0
  const attended = opts.attended ?? false
  const start = zonedIso(e.starts_at, opts.zone)
  return {
    ...e,
    attendance_count: count,
    scheduled_at: start,
    event_date: start,
    is_deleted: false,
    event_type: 'Other',
    attendee_count: count,
    attended,
    user_attended: attended,
  }
}

/** The member calendar's event (F31): its start also as `date`, as the original sent it there. */
export const ClubCalendarEvent = Type.Object({ ...ClubListEvent.properties, date: Type.String() })
