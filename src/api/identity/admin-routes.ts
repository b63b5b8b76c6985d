import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { changeRole, deactivateUser, decideApproval } from '../../commands/identity/approvals'
import { pageApprovalRequests } from '../../projections/identity/approval-requests'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { IdParams, Nullable, errorResponses } from '../schemas'
import { ApprovalListQuery, ApprovalRequest, DecideBody, Role } from './schemas'

const security = [{ bearer: [] }]

/** Admins decide approval requests and manage members. */
export function adminIdentityRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const { identity } = runtime
  const db = runtime.db.kysely
  return async (app) => {
    app.get(
      '/approval-requests',
      {
        config: { access: 'admin', reads: ['approval_requests'] },
        schema: {
          tags: ['admin'],
          security,
          querystring: ApprovalListQuery,
          response: {
            200: Type.Object({ items: Type.Array(ApprovalRequest), next_cursor: Nullable(Type.String()) }),
            ...errorResponses(),
          },
        },
      },
      async (request) => {
        const { status, cursor, limit = 50 } = request.query
        const after = decodeCursor(cursor)
        const page = await pageApprovalRequests(db, { status, after, limit, now: runtime.sources.now() })
        return { items: page.items, next_cursor: encodeCursor(page.next) }
      },
    )

    app.post(
      '/approval-requests/:id/decide',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          params: IdParams,
          body: DecideBody,
          response: {
            200: Type.Object({
              approval_request: Type.Object({ ...ApprovalRequest.properties, role: Nullable(Role) }),
            }),
            ...errorResponses(404, 409),
          },
        },
      },
      async (request) => {
        const input = { request_id: request.params.id, ...request.body }
        return { approval_request: await decideApproval(request.tracked(identity), input, request.actor()) }
      },
    )

    app.post(
      '/users/:id/role',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          params: IdParams,
          body: Type.Object({ role: Role }, { additionalProperties: false }),
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await changeRole(
          request.tracked(identity),
          { user_id: request.params.id, role: request.body.role },
          request.actor(),
        )
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/users/:id/deactivate',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security,
          params: IdParams,
          body: Type.Object(
            { reason: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: false },
          ),
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const input = { user_id: request.params.id, reason: request.body.reason ?? null }
        await deactivateUser(request.tracked(identity), input, request.actor())
        return reply.status(204).send(null)
      },
    )
  }
}
