import { planAttendance } from './attendance'
import { planAudit } from './audit'
import { planClubEvents } from './club-events'
import { planNotifications } from './notifications'
import { type ExpectedRow, PHASES, PlanContext, type PlanOptions, type PlannedAppend } from './plan-types'
import { type ImportReport, ReportBuilder } from './report'
import { planResources } from './resources'
import type { LegacySnapshot } from './snapshot'
import { planUsers } from './users'

export interface ImportPlan {
  /** in the order they are to be made (PHASES) */
  appends: PlannedAppend[]
  expected: ExpectedRow[]
  report: ImportReport
}

/**
 * What a legacy database becomes: every append, in order, and the report of
 * every row. Pure: the same snapshot, options and files give the same plan,
 * event ids included, which is what makes a second run a no-op.
 */
export function planImport(
  snapshot: LegacySnapshot,
  opts: PlanOptions,
  uploadedFiles: ReadonlySet<string>,
): ImportPlan {
  const ctx = new PlanContext(opts, snapshot.version, new ReportBuilder(snapshot.rows))
  const users = planUsers(ctx, snapshot.users, snapshot.approvals)
  const events = planClubEvents(ctx, snapshot.events, users)
  planAttendance(ctx, snapshot.sessions, snapshot.attendance, events, users)
  planResources(ctx, snapshot.materials, events, users, uploadedFiles)
  planNotifications(ctx, snapshot.notifications, users)
  planAudit(ctx, snapshot.audit, users)
  ctx.report.skipAll(
    'used_nonces',
    snapshot.rows.used_nonces ?? 0,
    'not_needed',
    'the nonces of expired codes protect nothing any more',
  )
  const order = (a: PlannedAppend) => PHASES.indexOf(a.phase)
  // a stable sort: within a phase, the order each translator chose
  const appends = [...ctx.appends].sort((a, b) => order(a) - order(b))
  return { appends, expected: ctx.expected, report: ctx.report.build() }
}
