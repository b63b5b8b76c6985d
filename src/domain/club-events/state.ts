import { assertNever } from '../decider'
import type { ClubEventEvent, ClubEventFields } from './events'
import { type ClubEventLifecycle, INITIAL_LIFECYCLE } from './lifecycle'

export type ClubEventRecord = ClubEventFields & {
  club_event_id: string
  created_by: string
  created_at: string
  /** the club's status of the event (lifecycle.ts); `status` below only says whether it exists */
  lifecycle: ClubEventLifecycle
}

export type ClubEventState =
  | { status: 'none' }
  | ({ status: 'active' } & ClubEventRecord)
  | ({ status: 'deleted' } & ClubEventRecord & { deleted_by: string; deleted_at: string })

export const initialClubEventState = (): ClubEventState => ({ status: 'none' })

/**
 * Lenient on purpose: an event that does not fit the state (which decide never
 * emits) leaves the state unchanged rather than making a stream unreadable.
 */
export function evolveClubEvent(state: ClubEventState, event: ClubEventEvent): ClubEventState {
  switch (event.type) {
    case 'ClubEventCreated':
      // events stored before descriptions and the lifecycle existed have neither
      return state.status === 'none'
        ? { status: 'active', ...event.data, description: event.data.description ?? null, lifecycle: INITIAL_LIFECYCLE }
        : state
    case 'ClubEventUpdated':
      return state.status === 'active' ? { ...state, ...event.data.changes } : state
    case 'ClubEventStatusChanged':
      return state.status === 'active' ? { ...state, lifecycle: event.data.to } : state
    case 'ClubEventDeleted':
      return state.status === 'active'
        ? { ...state, status: 'deleted', deleted_by: event.data.deleted_by, deleted_at: event.data.deleted_at }
        : state
    default:
      return assertNever(event)
  }
}
