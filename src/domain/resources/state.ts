import { assertNever } from '../decider'
import type { ResourceEvent, ResourceUploaded } from './events'

export type ResourceRecord = ResourceUploaded['data']

export type ResourceState =
  | { status: 'none' }
  | ({ status: 'active' } & ResourceRecord)
  | ({ status: 'deleted' } & ResourceRecord & { deleted_by: string; deleted_at: string })

export const initialResourceState = (): ResourceState => ({ status: 'none' })

/** Lenient: an event that does not fit the state (which decide never emits) leaves it unchanged. */
export function evolveResource(state: ResourceState, event: ResourceEvent): ResourceState {
  switch (event.type) {
    case 'ResourceUploaded':
      return state.status === 'none' ? { status: 'active', ...event.data } : state
    case 'ResourceDeleted':
      return state.status === 'active'
        ? { ...state, status: 'deleted', deleted_by: event.data.deleted_by, deleted_at: event.data.deleted_at }
        : state
    default:
      return assertNever(event)
  }
}
