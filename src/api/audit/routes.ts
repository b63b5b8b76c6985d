import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { chainKey } from '../../domain/audit/chain'
import { type AuditFilter, auditLogPages, pageAuditLog } from '../../projections/audit/audit-log'
import { feedLine } from '../../projections/audit/feed'
import { verifyChain } from '../../projections/audit/verify-chain'
import type { Runtime } from '../../runtime'
import { csvLine, csvStream } from '../csv'
import { decodeCursor, encodeCursor } from '../cursor'
import { errors } from '../errors'
import { Nullable, errorResponses } from '../schemas'
import { AuditEntry, AuditQuery, EventStreamQuery, VerifyAnswer } from './schemas'

const security = [{ bearer: [] }]
const CSV_COLUMNS = [
  'id',
  'at',
  'position',
  'action',
  'outcome',
  'actor_id',
  'actor_role',
  'target_type',
  'target_id',
  'ip',
  'user_agent',
  'request_id',
  'event_type',
  'stream',
  'details',
] as const

/** The auditor's routes: the audit log (JSON or CSV), the chain check, and the raw feed as NDJSON. */
export function auditRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  const key = chainKey(runtime.config)
  return async (app) => {
    app.get(
      '/audit-logs',
      {
        config: { access: 'admin', reads: ['audit_log'] },
        schema: {
          tags: ['audit'],
          security,
          querystring: AuditQuery,
          response: {
            200: Type.Object({ items: Type.Array(AuditEntry), next_cursor: Nullable(Type.String()) }),
            ...errorResponses(),
          },
        },
      },
      async (request, reply) => {
        const { cursor, limit = 50, format, ...q } = request.query
        const filter: AuditFilter = {
          action: q.action,
          actor_id: q.actor_id?.toLowerCase(),
          target_id: q.target_id,
          outcome: q.outcome,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
        }
        const after = decodeCursor(cursor)
        if (format === 'csv') {
          const body = csvStream(csvLine([...CSV_COLUMNS]), CSV_COLUMNS, auditLogPages(db, filter, after))
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="audit-log.csv"')
            .header('cache-control', 'no-store')
            .send(body as never) // a stream skips the JSON schema
        }
        const page = await pageAuditLog(db, filter, after, limit)
        return { items: page.items, next_cursor: encodeCursor(page.next) }
      },
    )

    app.get(
      '/audit-logs/verify',
      {
        config: { access: 'admin', reads: ['event_chain'] },
        schema: {
          tags: ['audit'],
          security,
          response: { 200: VerifyAnswer, ...errorResponses() },
        },
      },
      async () => verifyChain(db, runtime.store, key),
    )

    app.get(
      '/event-stream',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['audit'],
          security,
          querystring: EventStreamQuery,
          response: {
            200: Type.String({ description: 'application/x-ndjson: one stored event per line, secrets redacted' }),
            ...errorResponses(),
          },
        },
      },
      async (request, reply) => {
        const { after = '', limit = 500 } = request.query
        let events
        try {
          events = await runtime.store.readAll({ after, limit })
        } catch (err) {
          if ((err as Error).name === 'InvalidPosition')
            throw errors.validation(undefined, undefined, 'after is not a position of this store')
          throw err
        }
        const next = events.length ? events[events.length - 1]!.position : after
        // the next page starts after this; an empty body with the same value means "caught up"
        return reply
          .header('content-type', 'application/x-ndjson; charset=utf-8')
          .header('x-next-after', next)
          .header('cache-control', 'no-store')
          .send(events.map(feedLine).join(''))
      },
    )
  }
}
