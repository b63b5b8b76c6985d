import { randomUUID } from 'node:crypto'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type RouteOptions } from 'fastify'
import type { Runtime } from '../runtime'
import { registerAuth } from './plugins/auth'
import { registerConsistency } from './plugins/consistency'
import { registerCors } from './plugins/cors'
import { frameworkErrors, registerErrorHandling } from './plugins/errors'
import { registerMethodTable } from './plugins/methods'
import { registerMetrics } from './plugins/metrics'
import { registerSecurityHeaders } from './plugins/security-headers'
import { registerSerialization } from './plugins/serialization'
import { registerValidation } from './plugins/validation'
import { apiRoutes } from './routes'
import { healthRoutes } from './health'
import type { App } from './types'

export interface AppOptions {
  /** 'ops' serves only /health, /ready, /metrics (projector and worker roles). @defaultValue 'all' */
  routes?: 'all' | 'ops'
  /** Called with every route as it registers (the RBAC matrix test collects the route table). @defaultValue none */
  onRoute?: (route: RouteOptions) => void
}

/** A client-supplied request id is kept only if it is short and plain. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/

/** Default body limit; auth routes lower it to 16 KiB. */
export const BODY_LIMIT = 64 * 1024

export async function buildApp(runtime: Runtime, options: AppOptions = {}): Promise<App> {
  const { config } = runtime
  const timeouts = config.httpTimeouts
  const app = Fastify({
    loggerInstance: runtime.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // a client that trickles its request in holds a socket and a parser: bound the whole
    // request, its headers, an idle keep-alive and a silent socket (README, Configuration)
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionTimeout: timeouts.connectionMs,
    http: {
      headersTimeout: timeouts.headersMs,
      // node looks for requests past their bounds this often (30 s by default, longer than the bounds)
      connectionsCheckingInterval: Math.min(1000, Math.ceil(timeouts.headersMs / 2)),
    },
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID()
    },
    // SIGTERM: stop accepting, let in-flight requests finish, drop idle keep-alives
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // /api/events/ and /api/events are one route: the club's clients use both spellings
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>()
  // first, so that no route registers unseen
  if (options.onRoute) app.addHook('onRoute', options.onRoute)
  // an /api route that forgot to say who may call it must not silently be public
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && !(route.config as { access?: string } | undefined)?.access)
      throw new Error(`route ${route.method} ${route.url} declares no config.access`)
  })

  const methodsOf = registerMethodTable(app)

  // JSON only (login also takes the club's form encodings, resource uploads multipart): any other content type with a body is a 415
  app.removeContentTypeParser('text/plain')
  registerValidation(app, config.club.timezone)
  registerSerialization(app)
  registerErrorHandling(app, methodsOf)
  await registerCors(app, config.club.corsOrigins)
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  registerSecurityHeaders(app, config.club.corsOrigins.length > 0)
  registerMetrics(app, runtime.metrics, {
    token: config.metricsToken,
    openWithoutToken: config.nodeEnv !== 'production',
  })
  registerAuth(app, runtime.identity, {
    recorder: runtime.denials,
    limiter: runtime.limiter,
    perIp: config.accessDenied.perIp,
    windowSeconds: config.rateLimits.windowSeconds,
  })
  registerConsistency(app, {
    store: runtime.store,
    board: runtime.board,
    builds: runtime.builds,
    sessions: runtime.sessionPositions,
    metrics: runtime.metrics,
    timeoutMs: config.readYourWritesTimeoutMs,
  })

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'DS Club Portal API',
        version: '1.0.0',
        description: 'Commands append domain events; reads come from projections.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })

  await app.register(healthRoutes(runtime))
  if ((options.routes ?? 'all') === 'all') await app.register(apiRoutes(runtime), { prefix: '/api' })
  return app
}
