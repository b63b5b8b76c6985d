import type { FastifyPluginAsync } from 'fastify'
import type { Runtime } from '../../runtime'

/** Every /api route plugin, in one list (the RBAC matrix test walks the result). */
export function apiRoutes(_runtime: Runtime): FastifyPluginAsync {
  return async () => {}
}
