import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { changeRole, decideApproval } from '../../commands/identity/approvals'
import { deactivateUser } from '../../commands/identity/members'
import { countApprovalRequests, pageApprovalRequests } from '../../projections/identity/approval-requests'
import { clubApprovalRequest, statusNamed } from './club-shapes'
import type { Runtime } from '../../runtime'
import { decodeCursor, encodeCursor } from '../cursor'
import { IdParams, Nullable, errorResponses } from '../schemas'
import { ApprovalListQuery, ApprovalRequest, ClubApprovalRequest, DecideBody, Role } from './schemas'

const security = [{ bearer: [] }]

/** Admins decide approval requests and manage members. */
export function adminIdentityRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const { identity } = runtime
  const db = runtime.db.kysely
  return async (app) => {
    app.get(
      '/approval-requests',
      {
        config: { access: 'admin', reads: ['approval_requests', 'users'] },
        schema: {
          tags: ['admin'],
          security,
          description:
            "Ours: `status`, `cursor` → `items`, `next_cursor`. The club's: `status_filter`, `page` → `requests`, `total`, `page`, `limit` (offset pages).",
          querystring: ApprovalListQuery,
          response: {
            200: Type.Object({
              items: Type.Array(ApprovalRequest),
              next_cursor: Nullable(Type.String()),
              requests: Type.Array(ClubApprovalRequest),
              total: Type.Optional(Type.Integer()),
              page: Type.Optional(Type.Integer()),
              limit: Type.Integer(),
            }),
            ...errorResponses(),
          },
        },
      },
      async (request) => {
        const { status_filter, cursor, page, limit = 50 } = request.query
        const status = request.query.status ?? statusNamed(status_filter)
        const now = runtime.sources.now()
        const opts = { status, limit, now }
        const listed =
          page === undefined
            ? await pageApprovalRequests(db, { ...opts, after: decodeCursor(cursor) })
            : await pageApprovalRequests(db, { ...opts, offset: (page - 1) * limit })
        const requests = listed.items.map((r) => clubApprovalRequest(r, now))
        const answer = { items: listed.items, next_cursor: encodeCursor(listed.next), requests, limit }
        // the club's list shows a total: counted only for the club's callers (ours page by cursor)
        if (page === undefined && status_filter === undefined) return answer
        return { ...answer, total: await countApprovalRequests(db, status, now), page: page ?? 1 }
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
            200: Type.Object({ approval_request: ApprovalRequest, message: Type.String() }),
            ...errorResponses(404, 409),
          },
        },
      },
      async (request) => {
        const b = request.body
        const decision = b.decision === 'approve' || b.decision === 'approved' ? 'approve' : 'reject'
        const input = {
          request_id: request.params.id,
          decision,
          role: b.role ?? b.approved_role,
          reason: b.reason ?? b.rejection_reason,
        } as const
        const decided = await decideApproval(request.tracked(identity), input, request.actor())
        const message = decision === 'approve' ? `User approved as ${decided.role ?? 'student'}` : 'User rejected'
        return { approval_request: decided, message }
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
          body: Type.Object({ role: Role }),
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
          body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }),
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
