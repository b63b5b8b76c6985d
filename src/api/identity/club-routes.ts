import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { removeMember, toggleMember } from '../../commands/identity/members'
import type { Runtime } from '../../runtime'
import { IdParams, errorResponses } from '../schemas'
import { editProfile, readProfile } from './member-routes'
import { MembershipChange, Profile, ProfileBody } from './schemas'

const security = [{ bearer: [] }]

/**
 * The club frontend's member management and profile paths: the same commands
 * and queries as ours (member-routes.ts), in its shapes and with its 200s.
 */
export function clubMemberRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const { identity } = runtime
  return async (app) => {
    app.post(
      '/admin/toggle-member/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['club'],
          security,
          description: 'Deactivate an active member, or reactivate a deactivated one.',
          params: IdParams,
          response: { 200: MembershipChange, ...errorResponses(403, 404) },
        },
      },
      async (request) => {
        const change = await toggleMember(request.tracked(identity), request.params.id, request.actor())
        return { ...change, message: change.is_active ? 'Member activated' : 'Member deactivated' }
      },
    )

    app.delete(
      '/admin/remove-member/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['club'],
          security,
          description: 'Remove a member (as DELETE /api/admin/users/:id); admins are refused.',
          params: IdParams,
          response: { 200: Type.Object({ message: Type.String() }), ...errorResponses(403, 404) },
        },
      },
      async (request) => {
        await removeMember(request.tracked(identity), { user_id: request.params.id }, request.actor())
        return { message: 'Member removed' }
      },
    )

    app.get(
      '/member/profile',
      {
        config: { access: 'user', reads: ['users'] },
        schema: { tags: ['club'], security, response: { 200: Profile, ...errorResponses(404) } },
      },
      async (request) => readProfile(runtime.db.kysely, request.caller!.id),
    )

    app.put(
      '/member/profile',
      {
        config: { access: 'user' },
        schema: {
          tags: ['club'],
          security,
          description: 'The profile form (as PATCH /api/me/profile); the echoed id, email and created_at are ignored.',
          body: ProfileBody,
          response: { 200: Profile, ...errorResponses() },
        },
      },
      async (request) => editProfile(request.tracked(identity), request.body, request.actor()),
    )
  }
}
