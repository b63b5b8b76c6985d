import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  changeClubEventStatus,
  createClubEvent,
  deleteClubEvent,
  updateClubEvent,
} from '../../commands/club-events/club-events'
import { getClubEvent, pageClubEvents } from '../../projections/club-events/club-events'
import { markedAmong } from '../../projections/attendance/attendance-records'
import { clubEventList } from './club-list'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { errors } from '../errors'
import { IdParams, Nullable, errorResponses } from '../schemas'
import { ClubEventAnswer, ClubListEvent, clubEventShape } from './club-shapes'
import {
  ClubEvent,
  ClubEventStatusBody,
  ClubEventWithCount,
  CreateClubEventBody,
  ListEventsQuery,
  UpdateClubEventBody,
} from './schemas'

const security = [{ bearer: [] }]

/** Members read club events (deleted ones are hidden); admins write them. */
export function clubEventRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = runtime.clubEvents
  const { timezone: zone, eventDefaultDurationMinutes } = runtime.config.club
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
        return { ...clubEventShape(event, { zone, attended }), event }
      },
    )

    app.post(
      '/admin/events',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          description:
            'Create a club event. Without `ends_at` it is an event of one start: it ends EVENT_DEFAULT_DURATION_MINUTES (120) after `starts_at`. `status` (default scheduled) may be given; any other than scheduled is stored as a status change in the same append.',
          body: CreateClubEventBody,
          response: { 201: Type.Object({ event: ClubEvent }), ...errorResponses() },
        },
      },
      async (request, reply) => {
        const { status, ...input } = request.body
        const event = await createClubEvent(request.tracked(deps), { ...input, lifecycle: status }, request.actor(), {
          defaultLengthMinutes: eventDefaultDurationMinutes,
        })
        return reply.status(201).send({ event })
      },
    )

    app.post(
      '/admin/events/:id/status',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          description:
            'Set the club’s status of an event: scheduled, active, completed or cancelled. Any status may follow any other (completing and reverting to scheduled work from every status; a cancelled event may be completed). The status it already has changes nothing (200, nothing stored). Cancelled and completed events take no attendance: new QR codes (409 `event_cancelled` / `event_completed`) and marks are refused; members who marked a cancelled event are notified.',
          params: IdParams,
          body: ClubEventStatusBody,
          response: { 200: Type.Object({ event: ClubEvent }), ...errorResponses(404) },
        },
      },
      async (request) => {
        const id = request.params.id
        return { event: await changeClubEventStatus(request.tracked(deps), id, request.body.status, request.actor()) }
      },
    )

    app.patch(
      '/admin/events/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          description:
            'Edit the fields given (a non-empty subset of the create fields). The status has a route of its own, POST /api/admin/events/:id/status, so an edit and a status change never overwrite each other.',
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
