import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import type { Runtime } from '../../runtime'
import { errors } from '../errors'
import { errorResponses, Nullable } from '../schemas/common'

const Day = Type.String({ format: 'date' })
const Summary = Type.Object({
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

const isoDay = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10))

/** The analytics views (docs/analytics.md) served as JSON, for the admin dashboard. */
export function analyticsRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  return async (app) => {
    app.get(
      '/admin/analytics/summary',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security: [{ bearer: [] }],
          querystring: Type.Object(
            { from: Type.Optional(Day), to: Type.Optional(Day) },
            { additionalProperties: false },
          ),
          response: { 200: Summary, ...errorResponses() },
        },
      },
      async (request) => {
        const today = runtime.sources.now().toISOString().slice(0, 10)
        const to = request.query.to ?? today
        const from = request.query.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10)
        if (from > to) throw errors.validation(undefined, undefined, 'from must not be after to')
        const [events, members, perDay, signups, decisions] = await Promise.all([
          sql<{
            club_event_id: string
            title: string
            starts_at: Date
            attendance_count: number
          }>`SELECT club_event_id, title, starts_at, attendance_count FROM analytics.attendance_per_event WHERE (starts_at AT TIME ZONE 'UTC')::date BETWEEN ${from}::date AND ${to}::date ORDER BY starts_at DESC LIMIT 500`.execute(
            db,
          ),
          sql<{
            user_id: string
            email: string
            full_name: string
            events_attended: number
            events_held_since_joined: number
            attendance_rate: string | null
          }>`SELECT user_id, email, full_name, events_attended, events_held_since_joined, attendance_rate FROM analytics.attendance_per_member ORDER BY attendance_rate DESC NULLS LAST, email LIMIT 500`.execute(
            db,
          ),
          sql<{
            day: Date
            marks: number
            members: number
          }>`SELECT day, marks, members FROM analytics.attendance_per_day WHERE day BETWEEN ${from}::date AND ${to}::date ORDER BY day`.execute(
            db,
          ),
          sql<{
            day: Date
            signups: number
          }>`SELECT day, signups FROM analytics.signups_per_day WHERE day BETWEEN ${from}::date AND ${to}::date ORDER BY day`.execute(
            db,
          ),
          sql<{
            day: Date
            approved: number
            rejected: number
            expired: number
          }>`SELECT day, approved, rejected, expired FROM analytics.decisions_per_day WHERE day BETWEEN ${from}::date AND ${to}::date ORDER BY day`.execute(
            db,
          ),
        ])
        return {
          from,
          to,
          per_event: events.rows.map((r) => ({ ...r, starts_at: new Date(r.starts_at).toISOString() })),
          per_member: members.rows.map((r) => ({
            ...r,
            attendance_rate: r.attendance_rate === null ? null : Number(r.attendance_rate),
          })),
          attendance_per_day: perDay.rows.map((r) => ({ ...r, day: isoDay(r.day) })),
          signups_per_day: signups.rows.map((r) => ({ ...r, day: isoDay(r.day) })),
          decisions_per_day: decisions.rows.map((r) => ({ ...r, day: isoDay(r.day) })),
        }
      },
    )
  }
}
