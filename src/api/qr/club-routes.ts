import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { issueQr, revokeQr, rotateQr } from '../../commands/qr/qr-sessions'
import { getClubEvent } from '../../projections/club-events/club-events'
import { activeQrSessions } from '../../projections/qr/qr-sessions'
import { zonedIso } from '../../platform/wall-clock'
import type { Runtime } from '../../runtime'
import { IdParams, Timestamp, Uuid, errorResponses } from '../schemas'
import { QrSession } from './schemas'

const security = [{ bearer: [] }]

/** A QR code as the club's QR page reads it: flat, with the seconds its countdown starts from; ours under qr_session. */
const ClubQr = Type.Object({
  session_id: Uuid,
  qr_payload: Type.String(),
  event_id: Uuid,
  event_title: Type.String(),
  expires_at: Timestamp,
  expires_in_seconds: Type.Integer(),
  qr_session: QrSession,
})

const ActiveSession = Type.Object({
  active: Type.Boolean(),
  session_id: Type.Optional(Uuid),
  event: Type.Optional(Type.Object({ id: Uuid, title: Type.String(), scheduled_at: Type.String() })),
  expires_at: Type.Optional(Timestamp),
  expires_in_seconds: Type.Optional(Type.Integer()),
})

/**
 * The club frontend's QR paths: start, stop and refresh a code (admins), and
 * whether any code is live (everyone: its scan page opens only then). The
 * same commands as /admin/qr-sessions.
 */
export function clubQrRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = runtime.qr
  const zone = runtime.config.club.timezone
  const secondsLeft = (expiresAt: string) =>
    Math.max(0, Math.round((Date.parse(expiresAt) - runtime.sources.now().getTime()) / 1000))
  const clubQr = (qr: Awaited<ReturnType<typeof issueQr>>) => ({
    session_id: qr.id,
    qr_payload: qr.payload,
    event_id: qr.event_id,
    event_title: qr.event_title,
    expires_at: qr.expires_at,
    expires_in_seconds: secondsLeft(qr.expires_at),
    qr_session: qr,
  })
  const answers = (extra: number[] = []) => ({ 200: ClubQr, ...errorResponses(404, ...extra) })
  return async (app) => {
    app.post(
      '/attendance/start-session',
      {
        config: { access: 'admin' },
        schema: { tags: ['club'], security, body: Type.Object({ event_id: Uuid }), response: answers([409]) },
      },
      async (request) =>
        clubQr(await issueQr(request.tracked(deps), { event_id: request.body.event_id }, request.actor())),
    )

    app.post(
      '/attendance/refresh-qr/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['club'],
          security,
          description: 'The next code for the same event; the one replaced stays valid for QR_ROTATION_GRACE_SECONDS.',
          params: IdParams,
          response: answers([409, 410]),
        },
      },
      async (request) => clubQr(await rotateQr(request.tracked(deps), request.params.id, request.actor())),
    )

    app.post(
      '/attendance/stop-session/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['club'],
          security,
          params: IdParams,
          response: { 200: Type.Object({ message: Type.String() }), ...errorResponses(404) },
        },
      },
      async (request) => {
        await revokeQr(request.tracked(deps), request.params.id, request.actor())
        return { message: 'Session revoked successfully' }
      },
    )

    app.get(
      '/attendance/active-session',
      {
        config: { access: 'user', reads: ['qr_sessions', 'club_events'] },
        schema: {
          tags: ['club'],
          security,
          description:
            'The newest live QR code across events, without its payload: the club scan page opens only when `active`.',
          response: { 200: ActiveSession, ...errorResponses() },
        },
      },
      async () => {
        const [newest] = await activeQrSessions(db, runtime.sources.now(), undefined, 1)
        const event = newest && (await getClubEvent(db, newest.club_event_id))
        if (!newest || !event) return { active: false }
        return {
          active: true,
          session_id: newest.qr_session_id,
          event: { id: event.id, title: event.title, scheduled_at: zonedIso(event.starts_at, zone) },
          expires_at: newest.expires_at,
          expires_in_seconds: secondsLeft(newest.expires_at),
        }
      },
    )
  }
}
