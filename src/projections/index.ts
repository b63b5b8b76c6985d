import { projectionConsumer } from './apply'
import { approvalRequestsProjection } from './approval-requests'
import { attendanceProjection, clubEventsProjection, qrSessionsProjection } from './attendance'
import { auditLogProjection } from './audit-log'
import type { Consumer, Projection } from './projection'
import { notificationsConsumer } from './notifications'
import { sessionsProjection } from './sessions'
import { usersProjection } from './users'

/** Every read model, each rebuilt from position 0 by its own runner. */
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
  return [...projections.map(projectionConsumer), notificationsConsumer, ...reactors]
}
