import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { approvalRequestView, changeRole, deactivateUser, decideApproval } from '../../commands/identity/approvals'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { errorResponses, IdParams, Nullable } from '../schemas/common'
import { ApprovalListQuery, ApprovalRequest, DecideBody, Role } from '../schemas/identity'

export function adminApprovalRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const { identity } = runtime
  const db = runtime.db.kysely
  return async (app) => {
    app.get(
      '/approval-requests',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security: [{ bearer: [] }],
          querystring: ApprovalListQuery,
          response: {
            200: Type.Object({ items: Type.Array(ApprovalRequest), next_cursor: Nullable(Type.String()) }),
            ...errorResponses(),
          },
        },
      },
      async (request) => {
        const { status, cursor, limit = 50 } = request.query
        const now = runtime.sources.now()
        const after = decodeCursor(cursor, ['timestamp', 'uuid'])
        let q = db
          .selectFrom('approval_requests')
          .selectAll()
          .orderBy('requested_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit + 1)
        // "pending" and "expired" are judged by the deadline, not only by what the sweep has recorded yet
        if (status === 'pending') q = q.where('status', '=', 'pending').where('expires_at', '>', now)
        else if (status === 'expired')
          q = q.where((eb) =>
            eb.or([eb('status', '=', 'expired'), eb.and([eb('status', '=', 'pending'), eb('expires_at', '<=', now)])]),
          )
        else if (status) q = q.where('status', '=', status)
        if (after)
          q = q.where(sql<boolean>`(requested_at, id) < (${new Date(after[0] as string)}, ${after[1] as string}::uuid)`)
        const rows = await q.execute()
        const page = rows.slice(0, limit)
        const last = page[page.length - 1]
        return {
          items: page.map((r) => approvalRequestView(r, now)),
          next_cursor: rows.length > limit && last ? encodeCursor([last.requested_at.toISOString(), last.id]) : null,
        }
      },
    )

    app.post(
      '/approval-requests/:id/decide',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security: [{ bearer: [] }],
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
        const caller = request.caller!
        const approval_request = await decideApproval(
          identity,
          { request_id: request.params.id, ...request.body },
          { ...request.ctx, actor_id: caller.id },
        )
        return { approval_request }
      },
    )

    app.post(
      '/users/:id/role',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['admin'],
          security: [{ bearer: [] }],
          params: IdParams,
          body: Type.Object({ role: Role }, { additionalProperties: false }),
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await changeRole(
          identity,
          { user_id: request.params.id, role: request.body.role },
          { ...request.ctx, actor_id: request.caller!.id },
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
          security: [{ bearer: [] }],
          params: IdParams,
          body: Type.Object(
            { reason: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: false },
          ),
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await deactivateUser(
          identity,
          { user_id: request.params.id, reason: request.body.reason ?? null },
          { ...request.ctx, actor_id: request.caller!.id },
        )
        return reply.status(204).send(null)
      },
    )
  }
}
