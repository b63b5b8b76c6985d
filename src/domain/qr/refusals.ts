import { CLOSED_DETAIL } from '../club-events/lifecycle'
import { DomainError } from '../decider'

/** Every code the QR session commands refuse with. */
export type QrRefusal = 'validation_error' | 'not_found' | 'already_exists' | keyof typeof CLOSED_DETAIL

export const qrRefusals = {
  validation: (field: string, message: string) => new DomainError('validation_error', message, { field }),
  eventNotFound: (id: string) => new DomainError('not_found', 'No such club event', { club_event_id: id }),
  /** the club event takes no attendance (lifecycle.ts attendanceClosed) */
  eventClosed: (code: keyof typeof CLOSED_DETAIL, id: string) =>
    new DomainError(code, CLOSED_DETAIL[code], { club_event_id: id }),
  notFound: (id: string) => new DomainError('not_found', 'No such QR session', { qr_session_id: id }),
  alreadyExists: (id: string) =>
    new DomainError('already_exists', 'The QR session already exists', { qr_session_id: id }),
}
