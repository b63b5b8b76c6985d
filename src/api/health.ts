import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Runtime } from '../runtime'

const DependencyState = Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('not_configured')])
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('unavailable')]),
  dependencies: Type.Record(Type.String(), DependencyState),
})

/**
 * The dependencies this process cannot serve without: PostgreSQL (or PGlite)
 * and the event store. Redis is not one: without it rate limits count in the
 * process and jobs wait (the sweep expires what they would have), so a
 * balancer should keep sending requests: /ready says `degraded` with a 200.
 */
const ESSENTIAL = ['database', 'event_store']

/** Liveness says the process answers; readiness checks every dependency. */
export function healthRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['ops'],
          response: { 200: Type.Object({ status: Type.Literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    )

    app.get(
      '/ready',
      {
        schema: {
          tags: ['ops'],
          response: { 200: Readiness, 503: Readiness },
        },
      },
      async (_request, reply) => {
        const dependencies = await runtime.checkDependencies()
        const down = Object.keys(dependencies).filter((name) => dependencies[name] === 'down')
        if (down.some((name) => ESSENTIAL.includes(name)))
          return reply.status(503).send({ status: 'unavailable', dependencies })
        return reply.status(200).send({ status: down.length ? 'degraded' : 'ready', dependencies })
      },
    )
  }
}
