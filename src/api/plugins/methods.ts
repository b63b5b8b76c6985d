import FindMyWay, { type HTTPMethod } from 'find-my-way'
import type { App } from '../types'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

/**
 * Which methods a path has, for the 405 of a known path called with another
 * method (fastify answers 404 there). A router of our own, fed by every route
 * as it registers, matches paths exactly as fastify's does.
 */
export function registerMethodTable(app: App): (path: string) => string[] {
  const router = FindMyWay({ ignoreTrailingSlash: true })
  const noop = () => undefined
  app.addHook('onRoute', (route) => {
    // a catch-all (CORS answers every preflight) says nothing about which paths exist
    if (route.url.endsWith('*') && route.url.split('/').length <= 2) return
    for (const method of [route.method].flat().map((m) => m.toUpperCase() as HTTPMethod))
      if (!router.hasRoute(method, route.url)) router.on(method, route.url, noop)
  })
  return (path) => METHODS.filter((m) => router.find(m, path) !== null)
}
