import { projectionConsumer } from './apply'
import { approvalRequestsProjection } from './approval-requests'
import { attendanceProjection, clubEventsProjection, qrSessionsProjection } from './attendance'
import type { Consumer, Projection } from './projection'
import { sessionsProjection } from './sessions'
import { usersProjection } from './users'

/** Every read model, each rebuilt from position 0 by its own runner. */
export const projections: Projection[] = [usersProjection, approvalRequestsProjection, sessionsProjection, clubEventsProjection, qrSessionsProjection, attendanceProjection]

/** Every projection and reactor the projector role runs. */
export function consumers(reactors: Consumer[] = []): Consumer[] {
  return [...projections.map(projectionConsumer), ...reactors]
}
