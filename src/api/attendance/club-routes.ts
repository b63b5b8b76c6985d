import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { eventRoster, memberAttendance, memberFigures } from '../../projections/attendance/attendance-records'
import { getClubEvent } from '../../projections/club-events/club-events'
import { countApprovedStudents } from '../../projections/identity/users'
import { zonedIso } from '../../platform/wall-clock'
import type { Runtime } from '../../runtime'
import { errors } from '../errors'
import { IdParams, Nullable, Timestamp, Uuid, errorResponses } from '../schemas'

const security = [{ bearer: [] }]

const MyAttendance = Type.Object({
  attendance: Type.Array(
    Type.Object({
      id: Uuid,
      event: Type.Object({
        id: Uuid,
        title: Type.String(),
        scheduled_at: Type.String(),
        notes: Nullable(Type.String()),
        type: Type.String(),
      }),
      marked_at: Timestamp,
    }),
  ),
})

const Attendee = Type.Object({
  id: Uuid,
  name: Type.String(),
  full_name: Type.String(),
  email: Type.String(),
  marked_at: Timestamp,
})
const AttendanceEntry = Type.Object({
  user: Type.Object({ id: Uuid, email: Type.String(), full_name: Type.String() }),
  marked_at: Timestamp,
})
/** the live roster in the names of both the club's frontend (present, total, percentage) and its original backend */
const Roster = Type.Object({
  event: Type.Object({ id: Uuid, title: Type.String(), scheduled_at: Type.String() }),
  present: Type.Array(Attendee),
  attendance: Type.Array(AttendanceEntry),
  attendance_records: Type.Array(AttendanceEntry),
  total: Type.Integer(),
  total_attended: Type.Integer(),
  total_students: Type.Integer(),
  percentage: Type.Number(),
  attendance_rate: Type.Number(),
})

/** a member's own figures, in the names of the frontend (percentage) and the original backend (attendance_rate) */
const Figures = Type.Object({
  total_events: Type.Integer(),
  attended: Type.Integer(),
  events_attended: Type.Integer(),
  percentage: Type.Number(),
  attendance_rate: Type.Number(),
})

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100)

/** The club frontend's attendance reads: a member's history and figures, and an event's live roster. */
export function clubAttendanceRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const zone = runtime.config.club.timezone
  return async (app) => {
    app.get(
      '/attendance/my-attendance',
      {
        config: { access: 'user', reads: ['attendance_records', 'club_events'] },
        schema: { tags: ['club'], security, response: { 200: MyAttendance, ...errorResponses() } },
      },
      async (request) => {
        const rows = await memberAttendance(db, request.caller!.id)
        return {
          attendance: rows.map((r) => ({
            id: r.id,
            event: {
              id: r.event_id,
              title: r.event_title,
              scheduled_at: zonedIso(r.event_starts_at, zone),
              notes: r.event_notes,
              type: 'Other',
            },
            marked_at: r.marked_at,
          })),
        }
      },
    )

    app.get(
      '/attendance/stats',
      {
        config: { access: 'user', reads: ['attendance_records', 'club_events', 'users'] },
        schema: {
          tags: ['club'],
          security,
          description:
            'The caller’s own figures: events held since they joined (and any they marked), and how many they marked.',
          response: { 200: Figures, ...errorResponses() },
        },
      },
      async (request) => {
        const { total_events, attended } = await memberFigures(db, request.caller!.id, runtime.sources.now())
        const rate = percent(attended, total_events)
        return { total_events, attended, events_attended: attended, percentage: rate, attendance_rate: rate }
      },
    )

    app.get(
      '/attendance/event/:id',
      {
        config: { access: 'admin', reads: ['attendance_records', 'users', 'club_events'] },
        schema: {
          tags: ['club'],
          security,
          params: IdParams,
          response: { 200: Roster, ...errorResponses(404) },
        },
      },
      async (request) => {
        const id = request.params.id
        const [event, rows, students] = await Promise.all([
          getClubEvent(db, id),
          eventRoster(db, id),
          countApprovedStudents(db),
        ])
        if (!event) throw errors.notFound()
        const present = rows.map((r) => ({
          id: r.user_id,
          name: r.full_name,
          full_name: r.full_name,
          email: r.email,
          marked_at: r.marked_at,
        }))
        const attendance = rows.map((r) => ({
          user: { id: r.user_id, email: r.email, full_name: r.full_name },
          marked_at: r.marked_at,
        }))
        const rate = percent(rows.length, students)
        return {
          event: { id: event.id, title: event.title, scheduled_at: zonedIso(event.starts_at, zone) },
          present,
          attendance,
          attendance_records: attendance,
          total: students,
          total_attended: rows.length,
          total_students: students,
          percentage: rate,
          attendance_rate: rate,
        }
      },
    )
  }
}
