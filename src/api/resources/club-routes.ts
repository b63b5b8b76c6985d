import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { deleteResource } from '../../commands/resources/delete'
import type { Runtime } from '../../runtime'
import { IdParams, errorResponses } from '../schemas'
import { ClubResource, clubResourceShape } from './club-shapes'
import { resourceItem, uploadedView } from './items'
import { uploadResource, uploadScope } from './upload-form'

const security = [{ bearer: [] }]

/**
 * The club frontend's resource calls (F27 upload, F28 delete; its list is
 * GET /resources in routes.ts): the same commands as ours, in its shapes and
 * with its 200s.
 */
export function clubResourceRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const deps = runtime.resources
  return async (app) => {
    await uploadScope(app, deps.maxBytes, (scope) => {
      scope.post(
        '/resources/upload',
        {
          config: { access: 'admin' },
          schema: {
            tags: ['club'],
            security,
            consumes: ['multipart/form-data'],
            description:
              'The club form: `file`, `title`, optional `description` and `event_id`. 200 with the resource in the club shape.',
            response: { 200: ClubResource, ...errorResponses(404) },
          },
        },
        async (request) => {
          const caller = request.caller!
          const recorded = await uploadResource(request, request.tracked(deps))
          const view = uploadedView(recorded, caller.full_name)
          return clubResourceShape(resourceItem(deps.links, view, caller.id, runtime.sources.now()))
        },
      )
    })

    app.delete(
      '/resources/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['club'],
          security,
          params: IdParams,
          response: { 200: Type.Object({ message: Type.String() }), ...errorResponses(404) },
        },
      },
      async (request) => {
        await deleteResource(request.tracked(deps), request.params.id, request.actor())
        return { message: 'Resource deleted' }
      },
    )
  }
}
