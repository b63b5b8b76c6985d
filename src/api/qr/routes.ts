import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import QRCode from 'qrcode'
import { issueQr, revokeQr, rotateQr } from '../../commands/qr/qr-sessions'
import { type QrIssued } from '../../domain/qr/events'
import { qrPayloadFor } from '../../domain/qr/signing'
import { activeQrSessions, getQrSession } from '../../projections/qr/qr-sessions'
import type { Runtime } from '../../runtime'
import { errors } from '../errors'
import { IdParams, errorResponses } from '../schemas'
import { ActiveQrQuery, IssueQrBody, QrSession } from './schemas'

const security = [{ bearer: [] }]

/** Admins issue, list, rotate, revoke and show QR codes. */
export function qrRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = runtime.qr
  // signed with the current key whenever shown: after a rotation a listed code still verifies
  const view = (issued: QrIssued['data']) => ({
    id: issued.qr_session_id,
    event_id: issued.club_event_id,
    payload: qrPayloadFor(issued, deps.qrKeys.current),
    expires_at: issued.expires_at,
  })
  return async (app) => {
    app.post(
      '/admin/qr-sessions',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['qr'],
          security,
          body: IssueQrBody,
          response: { 201: Type.Object({ qr_session: QrSession }), ...errorResponses(404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send({ qr_session: await issueQr(request.tracked(deps), request.body, request.actor()) }),
    )

    app.get(
      '/admin/qr-sessions/active',
      {
        config: { access: 'admin', reads: ['qr_sessions'] },
        schema: {
          tags: ['qr'],
          security,
          querystring: ActiveQrQuery,
          response: { 200: Type.Object({ items: Type.Array(QrSession) }), ...errorResponses() },
        },
      },
      async (request) => {
        const active = await activeQrSessions(db, runtime.sources.now(), request.query.event_id)
        return { items: active.map(view) }
      },
    )

    app.post(
      '/admin/qr-sessions/:id/revoke',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['qr'],
          security,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await revokeQr(request.tracked(deps), request.params.id, request.actor())
        return reply.status(204).send(null)
      },
    )

    // the club's "refresh QR": the next code for the same club event, the replaced one
    // still marking for QR_ROTATION_GRACE_SECONDS; a retry answers the same next code
    app.post(
      '/admin/qr-sessions/:id/rotate',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['qr'],
          security,
          params: IdParams,
          response: { 201: Type.Object({ qr_session: QrSession }), ...errorResponses(404, 409) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send({ qr_session: await rotateQr(request.tracked(deps), request.params.id, request.actor()) }),
    )

    app.get(
      '/admin/qr-sessions/:id/qr.svg',
      {
        config: { access: 'admin', reads: ['qr_sessions'] },
        schema: {
          tags: ['qr'],
          security,
          params: IdParams,
          response: { 200: Type.String(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const issued = await getQrSession(db, request.params.id)
        if (!issued) throw errors.notFound()
        const svg = await QRCode.toString(view(issued).payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
        return reply.header('content-type', 'image/svg+xml').header('cache-control', 'no-store').send(svg)
      },
    )
  }
}
