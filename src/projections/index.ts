import { projectionConsumer } from './apply'
import { attendanceProjection } from './attendance/attendance-records'
import { auditLogProjection } from './audit/audit-log'
import { clubEventsProjection } from './club-events/club-events'
import { approvalRequestsProjection } from './identity/approval-requests'
import { sessionsProjection } from './identity/sessions'
import { usersProjection } from './identity/users'
import { notificationsConsumer } from './notifications/notifications'
import type { Consumer, Projection } from './projection'
import { qrSessionsProjection } from './qr/qr-sessions'

/** Every pure read model, each rebuilt from position 0 by its own runner. */
export const projections: Projection[] = [
  usersProjection,
  approvalRequestsProjection,
  sessionsProjection,
  clubEventsProjection,
  qrSessionsProjection,
  attendanceProjection,
  auditLogProjection,
]

/** Every projection and reactor the projector role runs. */
export function consumers(reactors: Consumer[] = []): Consumer[] {
  return [...projections.map((p) => projectionConsumer(p)), notificationsConsumer, ...reactors]
}
