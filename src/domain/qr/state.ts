import { assertNever } from '../decider'
import type { QrIssued, QrRotated, QrSessionEvent } from './events'

export type QrRotation = QrRotated['data']

export type QrSessionState =
  | { status: 'none' }
  | ({ status: 'issued' } & QrIssued['data'])
  /** replaced by `rotation.next_qr_session_id`; its own code marks until `rotation.valid_until` */
  | ({ status: 'rotated' } & QrIssued['data'] & { rotation: QrRotation })
  /** a rotation after (or before) the revocation is kept, so rotating again answers the same next session */
  | ({ status: 'revoked' } & QrIssued['data'] & { revoked_by: string; revoked_at: string; rotation?: QrRotation })

export const initialQrSessionState = (): QrSessionState => ({ status: 'none' })

/** The rotation that replaced this session, if one did. */
export function rotationOf(state: QrSessionState): QrRotation | undefined {
  return state.status === 'rotated' || state.status === 'revoked' ? state.rotation : undefined
}

/** Whether a replaced session's code still marks at `now`: until valid_until, exclusive (as expiry is). */
export const inGrace = (rotation: QrRotation, now: Date): boolean => now.getTime() < Date.parse(rotation.valid_until)

/** Lenient like every evolve here: an event that does not fit leaves the state as it was. */
export function evolveQrSession(state: QrSessionState, event: QrSessionEvent): QrSessionState {
  switch (event.type) {
    case 'QrIssued':
      return state.status === 'none' ? { status: 'issued', ...event.data } : state
    case 'QrRevoked':
      return state.status === 'issued' || state.status === 'rotated'
        ? { ...state, status: 'revoked', revoked_by: event.data.revoked_by, revoked_at: event.data.revoked_at }
        : state
    case 'QrRotated':
      if (state.status === 'issued') return { ...state, status: 'rotated', rotation: event.data }
      // a revoked code stays revoked; it only remembers its successor
      if (state.status === 'revoked' && state.rotation === undefined) return { ...state, rotation: event.data }
      return state
    default:
      return assertNever(event)
  }
}
