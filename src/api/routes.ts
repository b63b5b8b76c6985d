import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MemoryStreamTickets, RedisStreamTickets, type StreamTickets } from '../platform/stream-tickets'
import type { Runtime } from '../runtime'
import { analyticsRoutes } from './analytics/routes'
import { clubAttendanceRoutes } from './attendance/club-routes'
import { attendanceRoutes } from './attendance/routes'
import { auditRoutes } from './audit/routes'
import { clubEventWriteRoutes } from './club-events/club-routes'
import { clubEventRoutes } from './club-events/routes'
import { adminIdentityRoutes } from './identity/admin-routes'
import { authRoutes } from './identity/auth-routes'
import { clubMemberRoutes } from './identity/club-routes'
import { memberRoutes } from './identity/member-routes'
import { legacyRoutes } from './legacy/routes'
import { notificationRoutes } from './notifications/routes'
import { clubQrRoutes } from './qr/club-routes'
import { qrRoutes } from './qr/routes'
import { clubResourceRoutes } from './resources/club-routes'
import { resourceRoutes } from './resources/routes'

/** Every /api route plugin, in one list (the RBAC matrix test walks the routes they register). */
export function apiRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const { config } = runtime
  // a ticket issued by one API process opens a stream on another: on Redis when there is one
  const tickets: StreamTickets = runtime.redis
    ? new RedisStreamTickets(
        runtime.redis,
        config.redisPrefix,
        config.sseTicketTtlSeconds,
        config.sseMaxTicketsPerUser,
        (err) => runtime.redisOutage.met('stream_tickets', 'refused', err),
      )
    : new MemoryStreamTickets(config.sseTicketTtlSeconds, config.sseMaxTicketsPerUser, () => runtime.sources.now())
  return async (app) => {
    await app.register(authRoutes(runtime), { prefix: '/auth' })
    await app.register(adminIdentityRoutes(runtime), { prefix: '/admin' })
    await app.register(memberRoutes(runtime))
    await app.register(clubEventRoutes(runtime))
    await app.register(qrRoutes(runtime))
    await app.register(attendanceRoutes(runtime))
    await app.register(notificationRoutes(runtime, tickets))
    await app.register(analyticsRoutes(runtime))
    await app.register(auditRoutes(runtime), { prefix: '/admin' })
    await app.register(resourceRoutes(runtime))
    await app.register(legacyRoutes(runtime), { prefix: '/admin' })
    // the club frontend's own paths and shapes, on the same commands and queries (docs/club-frontend.md)
    await app.register(clubEventWriteRoutes(runtime))
    await app.register(clubQrRoutes(runtime))
    await app.register(clubAttendanceRoutes(runtime))
    await app.register(clubMemberRoutes(runtime))
    await app.register(clubResourceRoutes(runtime))
  }
}
