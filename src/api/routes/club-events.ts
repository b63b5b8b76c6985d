import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { sql, type Selectable } from 'kysely'
import type { ClubEventsTable } from '../../db/database'
import { createClubEvent, deleteClubEvent, updateClubEvent } from '../../commands/attendance/club-events'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { errors } from '../errors'
import {
  CreateClubEventBody,
  ClubEvent,
  ClubEventWithCount,
  ListEventsQuery,
  UpdateClubEventBody,
} from '../schemas/attendance'
import { errorResponses, IdParams, Nullable } from '../schemas/common'

export function eventRow(r: Selectable<ClubEventsTable>) {
  return {
    id: r.id,
    title: r.title,
    starts_at: r.starts_at.toISOString(),
    ends_at: r.ends_at.toISOString(),
    location: r.location,
    notes: r.notes,
    geofence: (r.geofence ?? null) as { lat: number; lng: number; radius_m: number } | null,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    attendance_count: r.attendance_count,
  }
}

/** Members read club events (deleted ones are hidden); admins write them. */
export function clubEventRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const deps = runtime.attendance
  const sec = [{ bearer: [] }]
  return async (app) => {
    app.get(
      '/events',
      {
        config: { access: 'user' },
        schema: {
          tags: ['events'],
          security: sec,
          querystring: ListEventsQuery,
          response: {
            200: Type.Object({ items: Type.Array(ClubEventWithCount), next_cursor: Nullable(Type.String()) }),
            ...errorResponses(),
          },
        },
      },
      async (request) => {
        const { when = 'upcoming', cursor, limit = 50 } = request.query
        const now = runtime.sources.now()
        const after = decodeCursor(cursor, ['timestamp', 'uuid'])
        const upcoming = when === 'upcoming'
        let q = db
          .selectFrom('club_events')
          .selectAll()
          .where('deleted_at', 'is', null)
          .limit(limit + 1)
        // upcoming: soonest first, including those under way; past: latest first
        q = upcoming
          ? q.where('ends_at', '>=', now).orderBy('starts_at', 'asc').orderBy('id', 'asc')
          : q.where('ends_at', '<', now).orderBy('starts_at', 'desc').orderBy('id', 'desc')
        if (after)
          q = q.where(
            upcoming
              ? sql<boolean>`(starts_at, id) > (${new Date(after[0] as string)}, ${after[1] as string}::uuid)`
              : sql<boolean>`(starts_at, id) < (${new Date(after[0] as string)}, ${after[1] as string}::uuid)`,
          )
        const rows = await q.execute()
        const page = rows.slice(0, limit)
        const last = page[page.length - 1]
        return {
          items: page.map(eventRow),
          next_cursor: rows.length > limit && last ? encodeCursor([last.starts_at.toISOString(), last.id]) : null,
        }
      },
    )

    app.get(
      '/events/:id',
      {
        config: { access: 'user' },
        schema: {
          tags: ['events'],
          security: sec,
          params: IdParams,
          response: { 200: Type.Object({ event: ClubEventWithCount }), ...errorResponses(404) },
        },
      },
      async (request) => {
        const row = await db
          .selectFrom('club_events')
          .selectAll()
          .where('id', '=', request.params.id)
          .where('deleted_at', 'is', null)
          .executeTakeFirst()
        if (!row) throw errors.notFound()
        return { event: eventRow(row) }
      },
    )

    app.post(
      '/admin/events',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security: sec,
          body: CreateClubEventBody,
          response: { 201: Type.Object({ event: ClubEvent }), ...errorResponses() },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send({ event: await createClubEvent(deps, request.body, { ...request.ctx, actor_id: request.caller!.id }) }),
    )

    app.patch(
      '/admin/events/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security: sec,
          params: IdParams,
          body: UpdateClubEventBody,
          response: { 200: Type.Object({ event: ClubEvent }), ...errorResponses(404) },
        },
      },
      async (request) => ({
        event: await updateClubEvent(deps, request.params.id, request.body, {
          ...request.ctx,
          actor_id: request.caller!.id,
        }),
      }),
    )

    app.delete(
      '/admin/events/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security: sec,
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await deleteClubEvent(deps, request.params.id, { ...request.ctx, actor_id: request.caller!.id })
        return reply.status(204).send(null)
      },
    )
  }
}
