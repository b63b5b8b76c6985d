import { Type } from '@sinclair/typebox'
import type { ClubEventView } from '../../projections/club-events/club-events'
import { zonedIso } from '../../platform/wall-clock'
import { Nullable } from '../schemas'
import { ClubEvent } from './schemas'

/**
 * A club event as the club's frontend reads it (docs/club-frontend.md): ours
 * plus its names. `scheduled_at` is the start in the club's zone, so its edit
 * form, which splits the time off at the T, shows the club's wall clock; the
 * status follows the event's window until events carry one of their own.
 */
export const ClubListEvent = Type.Object({
  ...ClubEvent.properties,
  description: Nullable(Type.String()),
  scheduled_at: Type.String(),
  status: Type.String(),
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

function windowStatus(e: Stored, now: Date): string {
  if (now.getTime() < Date.parse(e.starts_at)) return 'scheduled'
  return now.getTime() < Date.parse(e.ends_at) ? 'active' : 'completed'
}

export function clubEventShape(e: Stored, opts: { zone: string; now: Date; attended?: boolean }) {
  const count = e.attendance_count ?? 0
  const attended = opts.attended ?? false
  return {
    ...e,
    attendance_count: count,
    description: null,
    scheduled_at: zonedIso(e.starts_at, opts.zone),
    status: windowStatus(e, opts.now),
    is_deleted: false,
    event_type: 'Other',
    attendee_count: count,
    attended,
    user_attended: attended,
  }
}
