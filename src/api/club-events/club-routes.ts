import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import {
  changeClubEventStatus,
  createClubEvent,
  deleteClubEvent,
  updateClubEvent,
} from '../../commands/club-events/club-events'
import type { Runtime } from '../../runtime'
import { errors } from '../errors'
import { IdParams, Nullable, Timestamp, errorResponses } from '../schemas'
import { clubEventList } from './club-list'
import { ClubCalendarEvent, ClubEventAnswer, clubEventShape } from './club-shapes'
import { ClubEventStatus } from './schemas'

const security = [{ bearer: [] }]

const text = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })))
/** the club's event form: a start (`scheduled_at`, local time allowed) and no end */
const ClubEventBody = Type.Object({
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  scheduled_at: Type.Optional(Timestamp),
  starts_at: Type.Optional(Timestamp),
  ends_at: Type.Optional(Timestamp),
  location: text(200),
  notes: text(2000),
  description: text(2000),
  status: Type.Optional(ClubEventStatus),
})

/**
 * The club frontend's event paths (POST, PUT, DELETE /events): the same
 * commands as /admin/events, in its shapes and with its 200s.
 */
export function clubEventWriteRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const deps = runtime.clubEvents
  const { timezone: zone, eventDefaultDurationMinutes } = runtime.config.club
  const shape = (e: Parameters<typeof clubEventShape>[0]) => ({ ...clubEventShape(e, { zone }), event: e })
  return async (app) => {
    app.post(
      '/events',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['club'],
          security,
          description:
            'Create an event from the club form: `scheduled_at` (or `starts_at`); the end defaults to EVENT_DEFAULT_DURATION_MINUTES later. `status` (default scheduled) is one of scheduled, active, completed, cancelled; anything else is a 400.',
          body: Type.Object({ ...ClubEventBody.properties, title: Type.String({ minLength: 1, maxLength: 200 }) }),
          response: { 200: ClubEventAnswer, ...errorResponses() },
        },
      },
      async (request) => {
        const b = request.body
        const starts_at = b.scheduled_at ?? b.starts_at
        if (starts_at === undefined)
          throw errors.validation(undefined, undefined, 'scheduled_at (or starts_at) is required')
        const input = {
          title: b.title,
          starts_at,
          ends_at: b.ends_at,
          location: b.location ?? null,
          notes: b.notes ?? null,
          description: b.description ?? null,
          lifecycle: b.status,
        }
        const opts = { defaultLengthMinutes: eventDefaultDurationMinutes }
        return shape(await createClubEvent(request.tracked(deps), input, request.actor(), opts))
      },
    )

    app.put(
      '/events/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['club'],
          security,
          description:
            'Edit an event from the club form: a new `scheduled_at` moves the end along, keeping the length. `status` alone is the "mark as completed" / "revert to scheduled" buttons. With both, the edit is made first and the status second, as two commands: the status is checked with the body, before either runs, and the edit refuses before storing anything, so a 400 means nothing was stored. Only a failure of the second command (the event deleted in between: 404; a conflict past the retries: 409; an outage: 503) can leave the edit made without the status, and as both commands change nothing when repeated, resending the same PUT finishes it.',
          params: IdParams,
          body: ClubEventBody,
          response: { 200: ClubEventAnswer, ...errorResponses(404) },
        },
      },
      async (request) => {
        const {
          scheduled_at,
          starts_at = scheduled_at,
          ends_at,
          title,
          location,
          notes,
          description,
          status,
        } = request.body
        const given = { title, starts_at, ends_at, location, notes, description }
        const changes = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined))
        const edits = Object.keys(changes).length > 0
        if (!edits && status === undefined) throw errors.validation(undefined, undefined, 'nothing to change')
        const id = request.params.id
        const tracked = request.tracked(deps)
        // the status was validated with the body; the edit goes first because only it can refuse what was sent
        let event = edits
          ? await updateClubEvent(tracked, id, changes, request.actor(), { keepLength: true })
          : undefined
        if (status !== undefined) event = await changeClubEventStatus(tracked, id, status, request.actor())
        return shape(event!)
      },
    )

    app.delete(
      '/events/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['club'],
          security,
          params: IdParams,
          response: {
            200: Type.Object({ message: Type.String(), attendance_records_preserved: Type.Boolean() }),
            ...errorResponses(404),
          },
        },
      },
      async (request) => {
        await deleteClubEvent(request.tracked(deps), request.params.id, request.actor())
        return { message: 'Event deleted', attendance_records_preserved: true }
      },
    )

    app.get(
      '/member/events',
      {
        config: { access: 'user', reads: ['club_events', 'attendance_records'] },
        schema: { tags: ['club'], security, response: { 200: Type.Array(ClubCalendarEvent), ...errorResponses() } },
      },
      async (request) =>
        (await clubEventList(runtime, request.caller!.id)).map((e) => ({ ...e, date: e.scheduled_at })),
    )
  }
}
