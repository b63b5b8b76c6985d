import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import QRCode from 'qrcode'
import { issueQr, revokeQr } from '../../commands/attendance/club-events'
import { markAttendance } from '../../commands/attendance/mark'
import { qrPayloadFor } from '../../domain/qr-session'
import type { Runtime } from '../../runtime'
import { errors } from '../errors'
import { Attendance, AttendanceRow, IssueQrBody, MarkBody, QrSession } from '../schemas/attendance'
import { errorResponses, IdParams, Uuid } from '../schemas/common'

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v)
  // quote everything, double quotes inside, and defuse spreadsheet formulas
  return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`
}

export function attendanceRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = runtime.attendance
  const sec = [{ bearer: [] }]
  const sessionView = (r: {
    id: string
    club_event_id: string
    nonce: string
    key_id: string
    issued_by: string
    issued_at: Date
    expires_at: Date
  }) => ({
    id: r.id,
    event_id: r.club_event_id,
    payload: qrPayloadFor(
      {
        qr_session_id: r.id,
        club_event_id: r.club_event_id,
        nonce: r.nonce,
        key_id: r.key_id,
        issued_by: r.issued_by,
        issued_at: r.issued_at.toISOString(),
        expires_at: r.expires_at.toISOString(),
      },
      deps.qrKeys.current,
    ),
    expires_at: r.expires_at.toISOString(),
  })
  return async (app) => {
    app.post(
      '/admin/qr-sessions',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['qr'],
          security: sec,
          body: IssueQrBody,
          response: { 201: Type.Object({ qr_session: QrSession }), ...errorResponses(404) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send({ qr_session: await issueQr(deps, request.body, { ...request.ctx, actor_id: request.caller!.id }) }),
    )

    app.get(
      '/admin/qr-sessions/active',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['qr'],
          security: sec,
          querystring: Type.Object({ event_id: Type.Optional(Uuid) }, { additionalProperties: false }),
          response: { 200: Type.Object({ items: Type.Array(QrSession) }), ...errorResponses() },
        },
      },
      async (request) => {
        let q = db
          .selectFrom('qr_sessions')
          .selectAll()
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', runtime.sources.now())
          .orderBy('issued_at', 'desc')
          .limit(200)
        if (request.query.event_id) q = q.where('club_event_id', '=', request.query.event_id)
        // a key rotation invalidates payloads signed with the old key: list only current-key sessions
        return { items: (await q.execute()).map(sessionView) }
      },
    )

    app.post(
      '/admin/qr-sessions/:id/revoke',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['qr'],
          security: sec,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await revokeQr(deps, request.params.id, { ...request.ctx, actor_id: request.caller!.id })
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/admin/qr-sessions/:id/qr.svg',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['qr'],
          security: sec,
          params: IdParams,
          response: { 200: Type.String(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const row = await db
          .selectFrom('qr_sessions')
          .selectAll()
          .where('id', '=', request.params.id)
          .executeTakeFirst()
        if (!row) throw errors.notFound()
        const svg = await QRCode.toString(sessionView(row).payload, {
          type: 'svg',
          errorCorrectionLevel: 'M',
          margin: 2,
        })
        return reply.header('content-type', 'image/svg+xml').header('cache-control', 'no-store').send(svg)
      },
    )

    app.post(
      '/attendance/mark',
      {
        config: { access: 'student', cachedCaller: true },
        schema: {
          tags: ['attendance'],
          security: sec,
          body: MarkBody,
          response: { 201: Type.Object({ attendance: Attendance }), ...errorResponses(404, 409, 410) },
        },
      },
      async (request, reply) => {
        const caller = request.caller!
        const limit = await runtime.limiter.hit(
          `mark:user:${caller.id}`,
          runtime.config.rateLimits.markPerUser,
          runtime.config.rateLimits.windowSeconds,
        )
        if (!limit.allowed) throw errors.rateLimited(undefined, { 'retry-after': String(limit.retryAfterSeconds) })
        const attendance = await request.guarded((guard) =>
          markAttendance(deps, request.body, caller.id, request.ctx, guard),
        )
        return reply.status(201).send({ attendance })
      },
    )

    app.get(
      '/attendance/me',
      {
        config: { access: 'user' },
        schema: {
          tags: ['attendance'],
          security: sec,
          response: { 200: Type.Object({ items: Type.Array(AttendanceRow) }), ...errorResponses() },
        },
      },
      async (request) => {
        const rows = await db
          .selectFrom('attendance_records as a')
          .innerJoin('club_events as e', 'e.id', 'a.club_event_id')
          .select(['a.id', 'a.club_event_id', 'a.user_id', 'a.qr_session_id', 'a.marked_at', 'e.title'])
          .where('a.user_id', '=', request.caller!.id)
          .orderBy('a.marked_at', 'desc')
          .limit(500)
          .execute()
        return {
          items: rows.map((r) => ({
            id: r.id,
            event_id: r.club_event_id,
            user_id: r.user_id,
            qr_session_id: r.qr_session_id,
            marked_at: r.marked_at.toISOString(),
            event_title: r.title,
          })),
        }
      },
    )

    app.get(
      '/admin/events/:id/attendance',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security: sec,
          params: IdParams,
          querystring: Type.Object(
            { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(AttendanceRow) }), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const rows = await db
          .selectFrom('attendance_records as a')
          .leftJoin('users as u', 'u.id', 'a.user_id')
          .select(['a.id', 'a.club_event_id', 'a.user_id', 'a.qr_session_id', 'a.marked_at', 'u.full_name', 'u.email'])
          .where('a.club_event_id', '=', request.params.id)
          .orderBy('a.marked_at', 'asc')
          .orderBy('a.id', 'asc')
          .execute()
        const items = rows.map((r) => ({
          id: r.id,
          event_id: r.club_event_id,
          user_id: r.user_id,
          qr_session_id: r.qr_session_id,
          marked_at: r.marked_at.toISOString(),
          full_name: r.full_name ?? '',
          email: r.email ?? '',
        }))
        if (request.query.format === 'csv') {
          const header = ['id', 'event_id', 'user_id', 'full_name', 'email', 'qr_session_id', 'marked_at']
          const lines = [
            header.join(','),
            ...items.map((i) => header.map((h) => csvCell(i[h as keyof typeof i])).join(',')),
          ]
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="attendance-${request.params.id}.csv"`)
            .send((lines.join('\r\n') + '\r\n') as never) // a string body skips the JSON schema
        }
        return { items }
      },
    )
  }
}
