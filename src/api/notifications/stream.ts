import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { isApprovedMember } from '../../commands/identity/membership'
import type { StreamTickets } from '../../platform/stream-tickets'
import { changedAfter, latestSeq } from '../../projections/notifications/queries'
import { listenForNotifications } from '../../projections/notifications/wake'
import type { Runtime } from '../../runtime'
import { errorBody, errors } from '../errors'
import { errorResponses } from '../schemas'
import { NotificationHub } from './hub'
import { LAST_EVENT_ID, StreamQuery } from './schemas'

/** GET /notifications/stream: a member's notifications as Server-Sent Events. */
export function notificationStreamRoute(runtime: Runtime, tickets: StreamTickets): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  return async (app) => {
    const hub = await NotificationHub.start(
      {
        changedAfter: (userId, seq, limit) => changedAfter(db, userId, seq, limit),
        latestSeq: (userId) => latestSeq(db, userId),
        listen: (onWake) => listenForNotifications(runtime.db, onWake),
      },
      {
        heartbeatMs: runtime.config.sseHeartbeatSeconds * 1000,
        onError: (err) => runtime.logger.warn({ err: err.message }, 'notification stream failed'),
      },
    )
    // preClose, not onClose: the server waits for open connections before onClose runs
    app.addHook('preClose', async () => hub.close())

    app.get(
      '/notifications/stream',
      {
        // public: the single-use ticket authenticates, because EventSource cannot send a bearer header
        config: { access: 'public' },
        schema: {
          tags: ['notifications'],
          querystring: StreamQuery,
          response: { 200: Type.String({ description: 'text/event-stream' }), ...errorResponses() },
        },
      },
      async (request, reply) => {
        const header = request.headers['last-event-id']
        if (header !== undefined && (typeof header !== 'string' || !LAST_EVENT_ID.test(header)))
          throw errors.validation(undefined, undefined, 'Last-Event-ID is not one of ours')
        const userId = await tickets.redeem(request.query.ticket)
        if (!userId) throw errors.unauthorized()
        // the account may have been deactivated since the ticket was issued
        if (!(await isApprovedMember(runtime.store, userId))) throw errors.unauthorized()
        // nothing awaits between this count and attach() registering the stream: two cannot both pass
        if (hub.openStreams(userId) >= runtime.config.sseMaxStreamsPerUser) throw errors.tooManyStreams()

        reply.hijack()
        const res = reply.raw
        const open = () => {
          res.writeHead(200, {
            ...(reply.getHeaders() as OutgoingHttpHeaders),
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            'x-accel-buffering': 'no',
            // the socket goes with the stream, so closing the server never waits on it
            connection: 'close',
          })
          res.write('retry: 2000\n\n')
        }
        await hub.attach(userId, res, header === undefined ? undefined : Number(header), open).catch((err: Error) => {
          runtime.logger.warn({ err: err.message }, 'notification stream failed to start')
          // hijacked: the error handler is out of the loop, so its body is written here
          const e = errors.unavailable()
          const body = errorBody(e, request.id)
          if (!res.headersSent)
            res.writeHead(e.statusCode, { 'content-type': 'application/json' }).end(JSON.stringify(body))
          else res.end()
        })
      },
    )
  }
}
