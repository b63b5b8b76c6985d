import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { readAllNotifications, readNotification } from '../../commands/notification/read'
import { loadState } from '../../commands/handle'
import { userDecider, userStream } from '../../domain/identity/user'
import { NotificationHub } from '../../notifications/hub'
import { listNotifications, notificationView, unreadCount } from '../../notifications/queries'
import { MemoryStreamTickets, RedisStreamTickets, type StreamTickets } from '../../notifications/tickets'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { errors } from '../errors'
import { errorResponses, IdParams } from '../schemas/common'
import {
  LAST_EVENT_ID,
  ListNotificationsQuery,
  NotificationList,
  StreamQuery,
  StreamTicket,
} from '../schemas/notifications'

/** A member's notifications, and their live stream (DESIGN §6). */
export function notificationRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = { store: runtime.store, sources: runtime.sources, db }
  const sec = [{ bearer: [] }]
  const { config } = runtime
  const tickets: StreamTickets = runtime.redis
    ? new RedisStreamTickets(runtime.redis, config.redisPrefix, config.sseTicketTtlSeconds)
    : new MemoryStreamTickets(config.sseTicketTtlSeconds, () => runtime.sources.now())
  return async (app) => {
    const hub = await NotificationHub.start(runtime.db, {
      heartbeatMs: config.sseHeartbeatSeconds * 1000,
      onError: (err) => runtime.logger.warn({ err: err.message }, 'notification stream failed'),
    })
    // preClose, not onClose: the server waits for open connections before onClose runs
    app.addHook('preClose', async () => hub.close())

    app.get(
      '/notifications',
      {
        config: { access: 'user' },
        schema: {
          tags: ['notifications'],
          security: sec,
          querystring: ListNotificationsQuery,
          response: { 200: NotificationList, ...errorResponses() },
        },
      },
      async (request) => {
        const { unread, cursor, limit = 50 } = request.query
        const key = decodeCursor(cursor, ['timestamp', 'uuid'])
        const userId = request.caller!.id
        const after = key ? { created_at: new Date(key[0] as string), id: key[1] as string } : undefined
        const [{ rows, more }, unread_count] = await Promise.all([
          listNotifications(db, userId, { unread, after, limit }),
          unreadCount(db, userId),
        ])
        const last = rows[rows.length - 1]
        return {
          items: rows.map(notificationView),
          unread_count,
          next_cursor: more && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
        }
      },
    )

    app.post(
      '/notifications/:id/read',
      {
        config: { access: 'user' },
        schema: {
          tags: ['notifications'],
          security: sec,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        // someone else's notification is as unknown as a missing one
        if ((await readNotification(deps, request.caller!.id, request.params.id, request.ctx)) === 'not_found')
          throw errors.notFound()
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/notifications/read-all',
      {
        config: { access: 'user' },
        schema: { tags: ['notifications'], security: sec, response: { 204: Type.Null(), ...errorResponses() } },
      },
      async (request, reply) => {
        await readAllNotifications(deps, request.caller!.id, request.ctx)
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/notifications/stream-ticket',
      {
        config: { access: 'user' },
        schema: { tags: ['notifications'], security: sec, response: { 200: StreamTicket, ...errorResponses() } },
      },
      async (request, reply) => {
        const { ticket, expires_at } = await tickets.issue(request.caller!.id)
        return reply.header('cache-control', 'no-store').send({ ticket, expires_at: expires_at.toISOString() })
      },
    )

    app.get(
      '/notifications/stream',
      // public: the single-use ticket authenticates, because EventSource cannot send a bearer header
      {
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
        const user = await loadState(runtime.store, userStream(userId), userDecider)
        if (user.status !== 'approved') throw errors.unauthorized()

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
          if (!res.headersSent)
            res
              .writeHead(e.statusCode, { 'content-type': 'application/json' })
              .end(
                JSON.stringify({ statusCode: e.statusCode, code: e.code, message: e.message, request_id: request.id }),
              )
          else res.end()
        })
      },
    )
  }
}
