import { Type } from '@sinclair/typebox'
import { Nullable } from '../schemas'

const Day = Type.String({ format: 'date' })

export const SummaryQuery = Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) })

export const Summary = Type.Object({
  from: Day,
  to: Day,
  per_event: Type.Array(
    Type.Object({
      club_event_id: Type.String(),
      title: Type.String(),
      starts_at: Type.String(),
      attendance_count: Type.Integer(),
    }),
  ),
  per_member: Type.Array(
    Type.Object({
      user_id: Type.String(),
      email: Type.String(),
      full_name: Type.String(),
      events_attended: Type.Integer(),
      events_held_since_joined: Type.Integer(),
      attendance_rate: Nullable(Type.Number()),
    }),
  ),
  attendance_per_day: Type.Array(Type.Object({ day: Day, marks: Type.Integer(), members: Type.Integer() })),
  signups_per_day: Type.Array(Type.Object({ day: Day, signups: Type.Integer() })),
  decisions_per_day: Type.Array(
    Type.Object({ day: Day, approved: Type.Integer(), rejected: Type.Integer(), expired: Type.Integer() }),
  ),
})

const count = Type.Integer({ minimum: 0 })
export const AdminStats = Type.Object({
  users: Type.Object({
    total: count,
    students: count,
    admins: count,
    inactive: count,
    pending_approvals: count,
  }),
  events: Type.Object({ total: count, upcoming: count, past: count }),
  attendance: Type.Object({ total_records: count, average_attendance_rate: Type.Number() }),
  qr: Type.Object({ live_sessions: count }),
  total_members: count,
  pending_users: count,
  total_events: count,
  active_sessions: count,
})
