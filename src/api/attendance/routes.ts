import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { markAttendance } from '../../commands/attendance/mark'
import { memberAttendance, pageRoster, rosterPages } from '../../projections/attendance/attendance-records'
import type { Runtime } from '../../runtime'
import { csvStream } from '../csv'
import { decodeCursor, encodeCursor } from '../cursor'
import { enforceLimit } from '../rate-limit'
import { IdParams, errorResponses } from '../schemas'
import { markAnswer, MarkAnswer } from './club-shapes'
import { AttendanceRow, MarkBody, RosterPage, RosterQuery } from './schemas'

const security = [{ bearer: [] }]
const ROSTER_COLUMNS = ['id', 'event_id', 'user_id', 'full_name', 'email', 'qr_session_id', 'marked_at'] as const

/** Students mark attendance; members read their own; admins read an event's roster. */
export function attendanceRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const { limiter, config } = runtime
  return async (app) => {
    app.post(
      '/attendance/mark',
      {
        // admins may mark their own attendance, as in the club's original portal
        config: { access: 'user', cachedCaller: true },
        schema: {
          tags: ['attendance'],
          security,
          description: "Ours under `attendance`; the club frontend's fields beside it.",
          body: MarkBody,
          response: { 200: MarkAnswer, ...errorResponses(404, 409, 410) },
        },
      },
      async (request) => {
        const caller = request.caller!
        const limits = config.rateLimits
        await enforceLimit(limiter, `mark:user:${caller.id}`, limits.markPerUser, limits.windowSeconds)
        // a camera's raw value may carry the whitespace a typed code is trimmed of
        const input = { ...request.body, qr_payload: request.body.qr_payload.trim() }
        // a cached caller: every write of the mark goes through the guarded appender
        const marked = await request.guarded((writer) =>
          markAttendance(runtime.attendance, writer, input, caller.id, request.ctx),
        )
        return markAnswer(marked, config.club.timezone)
      },
    )

    app.get(
      '/attendance/me',
      {
        config: { access: 'user', reads: ['attendance_records', 'club_events'] },
        schema: {
          tags: ['attendance'],
          security,
          response: { 200: Type.Object({ items: Type.Array(AttendanceRow) }), ...errorResponses() },
        },
      },
      async (request) => ({ items: await memberAttendance(db, request.caller!.id) }),
    )

    app.get(
      '/admin/events/:id/attendance',
      {
        config: { access: 'admin', reads: ['attendance_records', 'users'] },
        schema: {
          tags: ['admin'],
          security,
          params: IdParams,
          querystring: RosterQuery,
          response: { 200: RosterPage, ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const { id } = request.params
        const { format, cursor, limit = 500 } = request.query
        const after = decodeCursor(cursor)
        if (format !== 'csv') {
          const page = await pageRoster(db, id, after, limit)
          return { items: page.items, next_cursor: encodeCursor(page.next) }
        }
        const body = csvStream(`${ROSTER_COLUMNS.join(',')}\r\n`, ROSTER_COLUMNS, rosterPages(db, id, after))
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="attendance-${id}.csv"`)
          .send(body as never) // a stream skips the JSON schema
      },
    )
  }
}
