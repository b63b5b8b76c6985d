import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { adminCounters } from '../../projections/analytics/dashboard'
import { analyticsSummary } from '../../projections/analytics/summary'
import type { Runtime } from '../../runtime'
import { errors } from '../errors'
import { errorResponses } from '../schemas'
import { AdminStats, Summary, SummaryQuery } from './schemas'

const DAY_MS = 86_400_000
const FIRST_DAY = Date.parse('0001-01-01')

/** The analytics views (docs/analytics.md) served as JSON, for the admin dashboard. */
export function analyticsRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/admin/analytics/summary',
      {
        config: {
          access: 'admin',
          reads: ['users', 'approval_requests', 'club_events', 'attendance_records', 'member_marks'],
        },
        schema: {
          tags: ['admin'],
          security: [{ bearer: [] }],
          querystring: SummaryQuery,
          response: { 200: Summary, ...errorResponses() },
        },
      },
      async (request) => {
        const today = runtime.sources.now().toISOString().slice(0, 10)
        const to = request.query.to ?? today
        // the last 30 days unless asked otherwise, and never before year 1 (PostgreSQL has no year 0)
        const from =
          request.query.from ?? new Date(Math.max(Date.parse(to) - 29 * DAY_MS, FIRST_DAY)).toISOString().slice(0, 10)
        if (from > to) throw errors.validation(undefined, undefined, 'from must not be after to')
        return analyticsSummary(runtime.db.kysely, { from, to })
      },
    )

    app.get(
      '/admin/stats',
      {
        config: { access: 'admin', reads: ['users', 'approval_requests', 'club_events', 'qr_sessions'] },
        schema: {
          tags: ['admin'],
          security: [{ bearer: [] }],
          description:
            "The dashboard's counters, nested (`users`, `events`, `attendance`, `qr`) and flat as the club frontend reads them (`total_members`, `pending_users`, `total_events`, `active_sessions`).",
          response: { 200: AdminStats, ...errorResponses() },
        },
      },
      async () => {
        const c = await adminCounters(runtime.db.kysely, runtime.sources.now())
        return {
          ...c,
          total_members: c.users.total,
          pending_users: c.users.pending_approvals,
          total_events: c.events.total,
          active_sessions: c.qr.live_sessions,
        }
      },
    )
  }
}
