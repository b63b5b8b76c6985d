import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Access } from './plugins/auth'
import { errors } from './errors'
import { IdParams, errorResponses } from './schemas'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a club call whose capability is not built yet: 501 whatever it is sent */
    notBuilt?: boolean
  }
}

/**
 * Calls of the club's frontend whose capability this service does not have
 * yet (member directory, dashboards, profiles, study resources): a clear 501
 * with its reason, never a 404 that reads as a wrong path, nor a 500.
 */
const PENDING: [method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, access: Access, what: string][] = [
  ['GET', '/admin/members', 'admin', 'The member directory'],
  ['POST', '/admin/toggle-member/:id', 'admin', 'Deactivating and reactivating members'],
  ['DELETE', '/admin/remove-member/:id', 'admin', 'Removing members'],
  ['GET', '/admin/stats', 'admin', 'The admin dashboard counters'],
  ['GET', '/member/profile', 'user', 'Member profiles'],
  ['PUT', '/member/profile', 'user', 'Member profiles'],
  ['GET', '/resources', 'user', 'Study resources'],
  ['POST', '/resources/upload', 'admin', 'Study resources'],
  ['DELETE', '/resources/:id', 'admin', 'Study resources'],
]

export function clubPendingRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    // whatever these are sent (an upload's multipart body too) is drained unread: the answer is the same
    app.removeAllContentTypeParsers()
    app.addContentTypeParser('*', (_request, payload, done) => {
      payload.resume()
      done(null, undefined)
    })
    for (const [method, url, access, what] of PENDING)
      app.route({
        method,
        url,
        config: { access, notBuilt: true },
        schema: {
          tags: ['club'],
          security: [{ bearer: [] }],
          description: `${what}: not available yet (501).`,
          ...(url.includes(':id') ? { params: IdParams } : {}),
          response: errorResponses(501),
        },
        handler: async () => {
          throw errors.notImplemented(undefined, undefined, `${what} is not available in this portal yet`)
        },
      })
  }
}
