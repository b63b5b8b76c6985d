import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { createClubEvent, deleteClubEvent, updateClubEvent } from '../../commands/club-events/club-events'
import { getClubEvent, pageClubEvents } from '../../projections/club-events/club-events'
import { markedAmong } from '../../projections/attendance/attendance-records'
import { clubEventList } from './club-list'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { errors } from '../errors'
import { IdParams, Nullable, errorResponses } from '../schemas'
import { ClubEventAnswer, ClubListEvent, clubEventShape } from './club-shapes'
import { ClubEvent, ClubEventWithCount, CreateClubEventBody, ListEventsQuery, UpdateClubEventBody } from './schemas'

const security = [{ bearer: [] }]

/** Members read club events (deleted ones are hidden); admins write them. */
export function clubEventRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = runtime.clubEvents
  const zone = runtime.config.club.timezone
  const pagedEvents = async (when: 'upcoming' | 'past', cursor: string | undefined, limit: number) => {
    const page = await pageClubEvents(db, { when, now: runtime.sources.now(), after: decodeCursor(cursor), limit })
    return { items: page.items, next_cursor: encodeCursor(page.next) }
  }
  return async (app) => {
    app.get(
      '/events',
      {
        config: { access: 'user', reads: ['club_events', 'attendance_records'] },
        schema: {
          tags: ['events'],
          security,
          querystring: ListEventsQuery,
          description:
            "With `when`, `cursor` or `limit`: a page of upcoming or past events. With none of them: every event, latest first, as a bare array in the club frontend's shape.",
          response: {
            200: Type.Union([
              Type.Object({ items: Type.Array(ClubEventWithCount), next_cursor: Nullable(Type.String()) }),
              Type.Array(ClubListEvent),
            ]),
            ...errorResponses(),
          },
        },
      },
      async (request) => {
        const { when, cursor, limit } = request.query
        if (when === undefined && cursor === undefined && limit === undefined)
          return clubEventList(runtime, request.caller!.id)
        return pagedEvents(when ?? 'upcoming', cursor, limit ?? 50)
      },
    )

    app.get(
      '/events/:id',
      {
        config: { access: 'user', reads: ['club_events', 'attendance_records'] },
        schema: {
          tags: ['events'],
          security,
          params: IdParams,
          description: 'The event, under `event`, and its fields at the top level as the club frontend reads them.',
          response: { 200: ClubEventAnswer, ...errorResponses(404) },
        },
      },
      async (request) => {
        const event = await getClubEvent(db, request.params.id)
        if (!event) throw errors.notFound()
        const attended = (await markedAmong(db, request.caller!.id, [event.id])).has(event.id)
        return { ...clubEventShape(event, { zone, now: runtime.sources.now(), attended }), event }
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
