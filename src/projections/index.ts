import { projectionConsumer } from './apply'
import { attendanceProjection } from './attendance/attendance-records'
import { memberMarksProjection } from './attendance/member-marks'
import { auditLogProjection } from './audit/audit-log'
import { clubEventsProjection } from './club-events/club-events'
import { approvalRequestsProjection } from './identity/approval-requests'
import { usersProjection } from './identity/users'
import { notificationsConsumer } from './notifications/notifications'
import type { Consumer, Projection } from './projection'
import { qrSessionsProjection } from './qr/qr-sessions'
import { legacyIdsProjection } from './legacy/legacy-ids'
import { resourcesProjection } from './resources/resources'

/** Every pure read model, each rebuilt from position 0 by its own runner. */
export const projections: Projection[] = [
  usersProjection,
  approvalRequestsProjection,
  clubEventsProjection,
  qrSessionsProjection,
  attendanceProjection,
  memberMarksProjection,
  auditLogProjection,
  resourcesProjection,
  legacyIdsProjection,
]

/** Every projection and reactor the projector role runs. */
export function consumers(reactors: Consumer[] = []): Consumer[] {
  return [...projections.map((p) => projectionConsumer(p)), notificationsConsumer, ...reactors]
}

/**
 * The read models a route may read, by their consumer names: what a route
 * declares (config.reads) so that a read waits for the caller's own writes.
 */
export const READ_MODELS = [
  'users',
  'approval_requests',
  'club_events',
  'qr_sessions',
  'attendance_records',
  'member_marks',
  'audit_log',
  'notifications',
  'event_chain',
  'resources',
  'legacy_ids',
] as const

export type ReadModel = (typeof READ_MODELS)[number]
