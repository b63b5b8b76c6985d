import { assertNever } from '../decider'
import type { ClubEventEvent, ClubEventFields } from './events'

export type ClubEventRecord = ClubEventFields & { club_event_id: string; created_by: string; created_at: string }

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
      return state.status === 'none' ? { status: 'active', ...event.data } : state
    case 'ClubEventUpdated':
      return state.status === 'active' ? { ...state, ...event.data.changes } : state
    case 'ClubEventDeleted':
      return state.status === 'active'
        ? { ...state, status: 'deleted', deleted_by: event.data.deleted_by, deleted_at: event.data.deleted_at }
        : state
    default:
      return assertNever(event)
  }
}
