import type { App } from '../types'
import type { Metrics } from '../../platform/metrics'

/** Request durations by route template (never the raw URL: unbounded labels). */
export function registerMetrics(app: App, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
  })
  app.get(
    '/metrics',
    {
      schema: { hide: true },
    },
    async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType)
      return metrics.registry.metrics()
    },
  )
}
