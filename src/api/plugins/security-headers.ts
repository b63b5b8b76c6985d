import helmet from 'helmet'
import type { App } from '../types'

/**
 * helmet's security headers on every response. The middleware is built ONCE:
 * @fastify/helmet rebuilds it (and re-parses the CSP) on every request, which
 * cost more than verifying the JWT on the mark hot path.
 */
export function registerSecurityHeaders(app: App, crossOrigin: boolean): void {
  const apply = helmet({
    // a frontend on another origin (CORS_ORIGINS) may read our responses
    crossOriginResourcePolicy: { policy: crossOrigin ? 'cross-origin' : 'same-origin' },
    // the API serves JSON; /docs needs its own scripts and styles
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  })
  app.addHook('onRequest', (request, reply, done) => {
    apply(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined))
  })
}
