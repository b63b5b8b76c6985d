import cors from '@fastify/cors'
import type { App } from '../types'

/**
 * Cross-origin calls, only from the origins CORS_ORIGINS names: needed when
 * the club's frontend is served from another origin than the API (a built
 * bundle with VITE_API_URL). Tokens travel in the Authorization header, never
 * in cookies, so no credentials mode is offered.
 */
export async function registerCors(app: App, origins: string[]): Promise<void> {
  if (origins.length === 0) return
  await app.register(cors, {
    origin: origins.includes('*') ? '*' : origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // a client reads these: its read-your-writes token and the id to quote to support
    exposedHeaders: ['consistency-token', 'consistency-stale', 'x-request-id', 'retry-after'],
    maxAge: 600,
  })
}
