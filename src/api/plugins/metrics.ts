import { createHash, timingSafeEqual } from 'node:crypto'
import type { App } from '../types'
import type { Metrics } from '../../platform/metrics'
import { errors } from '../errors'

export interface MetricsAccess {
  /** the bearer token a scraper must send */
  token: string | undefined
  /** without a token: open (development) or closed (production) */
  openWithoutToken: boolean
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/**
 * Request durations by route template (never the raw URL: unbounded labels),
 * and GET /metrics for whoever holds the metrics token: routes, traffic and
 * process health are nobody else's business.
 */
export function registerMetrics(app: App, metrics: Metrics, access: MetricsAccess): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
  })
  // digests of equal length: the comparison takes the same time whatever was sent
  const expected = access.token === undefined ? undefined : digest(`Bearer ${access.token}`)
  const allowed = (authorization: string | undefined): boolean =>
    expected ? timingSafeEqual(digest(authorization ?? ''), expected) : access.openWithoutToken
  app.get(
    '/metrics',
    {
      schema: { hide: true },
    },
    async (request, reply) => {
      if (!allowed(request.headers.authorization)) throw errors.unauthorized()
      reply.header('content-type', metrics.registry.contentType)
      return metrics.registry.metrics()
    },
  )
}
