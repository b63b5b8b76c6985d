import { Type } from '@sinclair/typebox'
import type { markAttendance } from '../../commands/attendance/mark'
import { zonedIso } from '../../platform/wall-clock'
import { Timestamp, Uuid } from '../schemas'
import { Attendance } from './schemas'

const EventBrief = Type.Object({ id: Uuid, title: Type.String(), scheduled_at: Type.String() })

/** A mark's answer: ours under `attendance`, and what the club's frontend and scripts read beside it. */
export const MarkAnswer = Type.Object({
  attendance: Attendance,
  attendance_id: Uuid,
  event: EventBrief,
  marked_at: Timestamp,
  message: Type.String(),
  attendance_record: Type.Object({ id: Uuid, event_id: Uuid, user_id: Uuid, marked_at: Timestamp }),
})

export function markAnswer(marked: Awaited<ReturnType<typeof markAttendance>>, zone: string) {
  const { event_title, event_starts_at, ...attendance } = marked
  return {
    attendance,
    attendance_id: marked.id,
    event: { id: marked.event_id, title: event_title, scheduled_at: zonedIso(event_starts_at, zone) },
    marked_at: marked.marked_at,
    message: 'Attendance marked successfully',
    attendance_record: {
      id: marked.id,
      event_id: marked.event_id,
      user_id: marked.user_id,
      marked_at: marked.marked_at,
    },
  }
}
