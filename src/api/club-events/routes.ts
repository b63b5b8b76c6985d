import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { createClubEvent, deleteClubEvent, updateClubEvent } from '../../commands/club-events/club-events'
import { getClubEvent, pageClubEvents } from '../../projections/club-events/club-events'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { errors } from '../errors'
import { IdParams, Nullable, errorResponses } from '../schemas'
import { ClubEvent, ClubEventWithCount, CreateClubEventBody, ListEventsQuery, UpdateClubEventBody } from './schemas'

const security = [{ bearer: [] }]

/** Members read club events (deleted ones are hidden); admins write them. */
export function clubEventRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = runtime.clubEvents
  return async (app) => {
    app.get(
      '/events',
      {
        config: { access: 'user', reads: ['club_events'] },
        schema: {
          tags: ['events'],
          security,
          querystring: ListEventsQuery,
          response: {
            200: Type.Object({ items: Type.Array(ClubEventWithCount), next_cursor: Nullable(Type.String()) }),
            ...errorResponses(),
          },
        },
      },
      async (request) => {
        const { when = 'upcoming', cursor, limit = 50 } = request.query
        const after = decodeCursor(cursor)
        const page = await pageClubEvents(db, { when, now: runtime.sources.now(), after, limit })
        return { items: page.items, next_cursor: encodeCursor(page.next) }
      },
    )

    app.get(
      '/events/:id',
      {
        config: { access: 'user', reads: ['club_events'] },
        schema: {
          tags: ['events'],
          security,
          params: IdParams,
          response: { 200: Type.Object({ event: ClubEventWithCount }), ...errorResponses(404) },
        },
      },
      async (request) => {
        const event = await getClubEvent(db, request.params.id)
        if (!event) throw errors.notFound()
        return { event }
      },
    )

    app.post(
      '/admin/events',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          body: CreateClubEventBody,
          response: { 201: Type.Object({ event: ClubEvent }), ...errorResponses() },
        },
      },
      async (request, reply) => {
        const event = await createClubEvent(request.tracked(deps), request.body, request.actor())
        return reply.status(201).send({ event })
      },
    )

    app.patch(
      '/admin/events/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          params: IdParams,
          body: UpdateClubEventBody,
          response: { 200: Type.Object({ event: ClubEvent }), ...errorResponses(404) },
        },
      },
      async (request) => {
        return { event: await updateClubEvent(request.tracked(deps), request.params.id, request.body, request.actor()) }
      },
    )

    app.delete(
      '/admin/events/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await deleteClubEvent(request.tracked(deps), request.params.id, request.actor())
        return reply.status(204).send(null)
      },
    )
  }
}
