import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type Static, Type } from '@sinclair/typebox'
import { reactivateUser, removeMember } from '../../commands/identity/members'
import type { ActorContext } from '../../commands/context'
import type { IdentityDeps } from '../../commands/identity/deps'
import { updateProfile } from '../../commands/identity/profile'
import { clubMembers, memberProfile, pageMembers } from '../../projections/identity/members'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { errors } from '../errors'
import { IdParams, Nullable, errorResponses } from '../schemas'
import { ClubMember, Member, MemberListQuery, Profile, ProfileBody } from './schemas'

const security = [{ bearer: [] }]

/** The club's member page does not page: this many newest students at most. */
const CLUB_MEMBERS_LIMIT = 1000

/** The member directory and membership changes (admins), and each member's own profile. */
export function memberRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const { identity } = runtime
  return async (app) => {
    app.get(
      '/admin/members',
      {
        config: { access: 'admin', reads: ['users', 'club_events', 'attendance_records'] },
        schema: {
          tags: ['admin'],
          security,
          description:
            "Members (approved accounts, active or deactivated) with their attendance: attended, events held since they joined, the rate in percent. With `q`, `role`, `active`, `cursor` or `limit`: a page, newest member first. With none of them: the club frontend's bare array of students (`name` beside `full_name`), at most 1,000.",
          querystring: MemberListQuery,
          response: {
            200: Type.Union([
              Type.Object({ items: Type.Array(Member), next_cursor: Nullable(Type.String()) }),
              Type.Array(ClubMember),
            ]),
            ...errorResponses(),
          },
        },
      },
      async (request) => {
        const { q, role, active, cursor, limit } = request.query
        const now = runtime.sources.now()
        if ([q, role, active, cursor, limit].every((v) => v === undefined))
          return (await clubMembers(db, now, CLUB_MEMBERS_LIMIT)).map((m) => ({ ...m, name: m.full_name }))
        const page = await pageMembers(db, { q, role, active, after: decodeCursor(cursor), limit: limit ?? 50, now })
        return { items: page.items, next_cursor: encodeCursor(page.next) }
      },
    )

    app.post(
      '/admin/users/:id/reactivate',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          description: 'Undo a deactivation: the member is active again, in the role they had. Idempotent.',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await reactivateUser(request.tracked(identity), request.params.id, request.actor())
        return reply.status(204).send(null)
      },
    )

    app.delete(
      '/admin/users/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          description:
            'Remove a member from the club: their sessions end and they leave the directory; the history stays. Admins are refused (change the role first), and nobody removes themselves. The email may sign up again. Idempotent.',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        await removeMember(request.tracked(identity), { user_id: request.params.id }, request.actor())
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/me/profile',
      {
        config: { access: 'user', reads: ['users'] },
        schema: { tags: ['auth'], security, response: { 200: Profile, ...errorResponses(404) } },
      },
      async (request) => readProfile(db, request.caller!.id),
    )

    app.patch(
      '/me/profile',
      {
        config: { access: 'user' },
        schema: {
          tags: ['auth'],
          security,
          description:
            'Change any of full_name, section, branch, year, bio, skills; a blank or null optional field clears it. The email is not changed here.',
          body: ProfileBody,
          response: { 200: Profile, ...errorResponses() },
        },
      },
      async (request) => editProfile(request.tracked(identity), request.body, request.actor()),
    )
  }
}

/** A member's profile from the read model (ours and the club's GET). */
export async function readProfile(db: Runtime['db']['kysely'], userId: string) {
  const profile = await memberProfile(db, userId)
  // an approved caller whose row the read model has not caught up with yet (its wait timed out)
  if (!profile) throw errors.notFound()
  return profile
}

/** One profile command behind ours (PATCH) and the club's (PUT). */
export async function editProfile(deps: IdentityDeps, body: Static<typeof ProfileBody>, ctx: ActorContext) {
  const { skills, ...rest } = body
  // null skills clears them, like the other optional fields
  const changes = { ...rest, ...(skills === undefined ? {} : { skills: skills ?? [] }) }
  return updateProfile(deps, changes, ctx)
}
