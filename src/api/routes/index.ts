import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Runtime } from '../../runtime'
import { adminApprovalRoutes } from './admin-approvals'
import { analyticsRoutes } from './analytics'
import { attendanceRoutes } from './attendance'
import { auditRoutes } from './audit'
import { authRoutes } from './auth'
import { clubEventRoutes } from './club-events'
import { notificationRoutes } from './notifications'

/** Every /api route plugin, in one list (the RBAC matrix test walks the routes they register). */
export function apiRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(authRoutes(runtime), { prefix: '/auth' })
    await app.register(adminApprovalRoutes(runtime), { prefix: '/admin' })
    await app.register(clubEventRoutes(runtime))
    await app.register(attendanceRoutes(runtime))
    await app.register(notificationRoutes(runtime))
    await app.register(analyticsRoutes(runtime))
    await app.register(auditRoutes(runtime), { prefix: '/admin' })
  }
}
