import { clubEventRefusals } from './refusals'

/**
 * Where a club event stands in the club's eyes, set by admins (on the wire it
 * is `status`). Apart from the aggregate's own `status`, which only says
 * whether the event exists ('active') or was deleted. Nothing moves it with
 * the clock: an event left `scheduled` after its day stays `scheduled` until
 * an admin says otherwise, so the store never holds a transition nobody made.
 */
export const CLUB_EVENT_LIFECYCLES = ['scheduled', 'active', 'completed', 'cancelled'] as const
export type ClubEventLifecycle = (typeof CLUB_EVENT_LIFECYCLES)[number]

/** Events created before the lifecycle existed, and every new one unless told otherwise. */
export const INITIAL_LIFECYCLE: ClubEventLifecycle = 'scheduled'

const isLifecycle = (x: unknown): x is ClubEventLifecycle =>
  typeof x === 'string' && (CLUB_EVENT_LIFECYCLES as readonly string[]).includes(x)

export function validLifecycle(value: unknown): ClubEventLifecycle {
  if (isLifecycle(value)) return value
  throw clubEventRefusals.validation('status', `status must be one of ${CLUB_EVENT_LIFECYCLES.join(', ')}`)
}

/**
 * Whether a club event takes attendance: QR codes are issued (and rotated)
 * and marks accepted while it is scheduled or active. A completed event has
 * closed its attendance (reverting it to scheduled or active reopens it); a
 * cancelled one never took place. The QR and attendance deciders ask this of
 * the club event state they already load, so the rule lives in one place.
 */
export function attendanceClosed(lifecycle: ClubEventLifecycle): 'event_cancelled' | 'event_completed' | null {
  switch (lifecycle) {
    case 'cancelled':
      return 'event_cancelled'
    case 'completed':
      return 'event_completed'
    default:
      return null
  }
}

export const CLOSED_DETAIL = {
  event_cancelled: 'The club event was cancelled: it takes no attendance',
  event_completed: 'The club event is completed: its attendance is closed (an admin may revert it to scheduled)',
} as const
