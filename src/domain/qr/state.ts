import { assertNever } from '../decider'
import type { QrIssued, QrSessionEvent } from './events'

export type QrSessionState =
  | { status: 'none' }
  | ({ status: 'issued' } & QrIssued['data'])
  | ({ status: 'revoked' } & QrIssued['data'] & { revoked_by: string; revoked_at: string })

export const initialQrSessionState = (): QrSessionState => ({ status: 'none' })

/** Lenient like every evolve here: an event that does not fit leaves the state as it was. */
export function evolveQrSession(state: QrSessionState, event: QrSessionEvent): QrSessionState {
  switch (event.type) {
    case 'QrIssued':
      return state.status === 'none' ? { status: 'issued', ...event.data } : state
    case 'QrRevoked':
      return state.status === 'issued'
        ? { ...state, status: 'revoked', revoked_by: event.data.revoked_by, revoked_at: event.data.revoked_at }
        : state
    default:
      return assertNever(event)
  }
}
