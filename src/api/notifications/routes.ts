import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { readAllNotifications, readNotification } from '../../commands/notifications/read'
import type { StreamTickets } from '../../platform/stream-tickets'
import { pageNotifications, unreadCount } from '../../projections/notifications/queries'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { errors } from '../errors'
import { IdParams, errorResponses } from '../schemas'
import { ListNotificationsQuery, NotificationList, StreamTicket } from './schemas'
import { notificationStreamRoute } from './stream'

const security = [{ bearer: [] }]

/** A member's notifications, and their live stream (docs/notifications.md). */
export function notificationRoutes(runtime: Runtime, tickets: StreamTickets): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = runtime.notifications
  return async (app) => {
    app.get(
      '/notifications',
      {
        config: { access: 'user', reads: ['notifications'] },
        schema: {
          tags: ['notifications'],
          security,
          querystring: ListNotificationsQuery,
          response: { 200: NotificationList, ...errorResponses() },
        },
      },
      async (request) => {
        const { unread, cursor, limit = 50 } = request.query
        const after = decodeCursor(cursor)
        const userId = request.caller!.id
        const [page, unread_count] = await Promise.all([
          pageNotifications(db, userId, { unread, after, limit }),
          unreadCount(db, userId),
        ])
        return { items: page.items, unread_count, next_cursor: encodeCursor(page.next) }
      },
    )

    app.post(
      '/notifications/:id/read',
      {
        config: { access: 'user', reads: ['notifications'] },
        schema: {
          tags: ['notifications'],
          security,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await readNotification(request.tracked(deps), request.params.id, request.actor())
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/notifications/read-all',
      {
        config: { access: 'user', reads: ['notifications'] },
        schema: {
          tags: ['notifications'],
          security,
          response: { 204: Type.Null(), ...errorResponses() },
        },
      },
      async (request, reply) => {
        await readAllNotifications(request.tracked(deps), request.actor())
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/notifications/stream-ticket',
      {
        config: { access: 'user' },
        schema: {
          tags: ['notifications'],
          security,
          response: { 200: StreamTicket, ...errorResponses() },
        },
      },
      async (request, reply) => {
        const issued = await tickets.issue(request.caller!.id)
        if (!('ticket' in issued))
          throw errors.tooManyStreamTickets(undefined, { 'retry-after': String(issued.retryAfterSeconds) })
        return reply
          .header('cache-control', 'no-store')
          .send({ ticket: issued.ticket, expires_at: issued.expires_at.toISOString() })
      },
    )

    await app.register(notificationStreamRoute(runtime, tickets))
  }
}
