import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Runtime } from '../runtime'

const DependencyState = Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('not_configured')])
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  dependencies: Type.Record(Type.String(), DependencyState),
})

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
        const ready = Object.values(dependencies).every((s) => s !== 'down')
        return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', dependencies })
      },
    )
  }
}
