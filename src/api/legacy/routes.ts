import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { findLegacyIds } from '../../projections/legacy/legacy-ids'
import type { Runtime } from '../../runtime'
import { errorResponses } from '../schemas'
import { LegacyIdEntry, LegacyIdQuery } from './schemas'

/** What a row of the original portal became here, found by its legacy id or by ours (docs/migration.md). */
export function legacyRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const db = runtime.db.kysely
  return async (app) => {
    app.get(
      '/legacy-ids',
      {
        config: { access: 'admin', reads: ['legacy_ids'] },
        schema: {
          tags: ['admin'],
          description:
            'Imported history: every legacy row whose id is `id` (an integer id of v1 names a row in several tables), or the legacy row our id `id` came from.',
          security: [{ bearer: [] }],
          querystring: LegacyIdQuery,
          response: { 200: Type.Object({ items: Type.Array(LegacyIdEntry) }), ...errorResponses() },
        },
      },
      async (request) => ({ items: await findLegacyIds(db, request.query.id, request.query.limit ?? 50) }),
    )
  }
}
