import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { isApprovedMember } from '../../commands/identity/membership'
import { deleteResource } from '../../commands/resources/delete'
import { openResourceDownload } from '../../commands/resources/download'
import { allResources, pageResources } from '../../projections/resources/resources'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { errors } from '../errors'
import { IdParams, Nullable, errorResponses } from '../schemas'
import { ClubResource, clubResourceShape } from './club-shapes'
import { attachment } from './content-disposition'
import { resourceItem, uploadedView } from './items'
import { checkDownloadLink } from './links'
import { DownloadQuery, ListResourcesQuery, Resource } from './schemas'
import { uploadResource, uploadScope } from './upload-form'

const security = [{ bearer: [] }]
/** The club frontend does not page its list: this many newest resources at most. */
const CLUB_LIST_LIMIT = 1000

const UPLOAD_FORM =
  'multipart/form-data: `file` (one file part), `title`, optional `description` and `club_event_id` (or `event_id`). ' +
  'Allowed types and the size limit (RESOURCE_MAX_BYTES): docs/resources.md.'

/** Members list and download study resources; admins upload and delete them (docs/resources.md). */
export function resourceRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = runtime.resources
  const now = () => runtime.sources.now()
  return async (app) => {
    app.get(
      '/resources',
      {
        config: { access: 'user', reads: ['resources', 'users'] },
        schema: {
          tags: ['resources'],
          security,
          querystring: ListResourcesQuery,
          description:
            "With `cursor` or `limit`: a page, newest first. With neither: every resource, newest first, as a bare array in the club frontend's shape. Each item's `url` downloads it without a bearer token for a few minutes.",
          response: {
            200: Type.Union([
              Type.Object({ items: Type.Array(Resource), next_cursor: Nullable(Type.String()) }),
              Type.Array(ClubResource),
            ]),
            ...errorResponses(),
          },
        },
      },
      async (request) => {
        const { cursor, limit, club_event_id, event_id } = request.query
        if (club_event_id !== undefined && event_id !== undefined && club_event_id !== event_id)
          throw errors.validation(undefined, undefined, 'club_event_id and event_id differ')
        const clubEventId = club_event_id ?? event_id
        const item = (v: Parameters<typeof resourceItem>[1]) => resourceItem(deps.links, v, request.caller!.id, now())
        if (cursor === undefined && limit === undefined)
          return (await allResources(db, CLUB_LIST_LIMIT, clubEventId)).map((v) => clubResourceShape(item(v)))
        const page = await pageResources(db, { clubEventId, after: decodeCursor(cursor), limit: limit ?? 50 })
        return { items: page.items.map(item), next_cursor: encodeCursor(page.next) }
      },
    )

    app.get(
      '/resources/:id/download',
      {
        // a HEAD would count as a download; a client asks the list for size and type instead
        exposeHeadRoute: false,
        // public: the signed link authenticates, so that a plain browser link works (no bearer header)
        config: { access: 'public' },
        schema: {
          tags: ['resources'],
          params: IdParams,
          querystring: DownloadQuery,
          description:
            'The file, as an attachment under its sanitised name. Only through a link from the list (`url`), for the member it was made for, until it expires.',
          response: { 200: Type.Unknown({ description: 'the file, streamed' }), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const { id } = request.params
        const { uid, exp, sig } = request.query
        checkDownloadLink(deps.links, { resource_id: id, user_id: uid, exp }, sig, now())
        // the member may have been deactivated since the link was made
        if (!(await isApprovedMember(runtime.store, uid)))
          throw errors.unauthorized(undefined, undefined, 'The link was made for an account that is no longer a member')
        const file = await openResourceDownload(deps, id, { ...request.ctx, actor_id: uid })
        return reply
          .header('content-type', file.content_type)
          .header('content-length', String(file.size))
          .header('content-disposition', attachment(file.file_name))
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-store')
          .header('repr-digest', `sha-256=:${Buffer.from(file.sha256, 'hex').toString('base64')}:`)
          .send(file.body)
      },
    )

    await uploadScope(app, deps.maxBytes, (scope) => {
      scope.post(
        '/admin/resources',
        {
          config: { access: 'admin' },
          schema: {
            tags: ['admin'],
            security,
            consumes: ['multipart/form-data'],
            description: UPLOAD_FORM,
            response: { 201: Type.Object({ resource: Resource }), ...errorResponses(404) },
          },
        },
        async (request, reply) => {
          const caller = request.caller!
          const recorded = await uploadResource(request, request.tracked(deps))
          const resource = resourceItem(deps.links, uploadedView(recorded, caller.full_name), caller.id, now())
          return reply.status(201).send({ resource })
        },
      )
    })

    app.delete(
      '/admin/resources/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          params: IdParams,
          description: 'A soft delete: the history stays, the bytes are erased; a second delete is 404.',
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await deleteResource(request.tracked(deps), request.params.id, request.actor())
        return reply.status(204).send(null)
      },
    )
  }
}
