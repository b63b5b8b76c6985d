import { DomainError } from '../decider'

/** Every code this aggregate refuses with, and the HTTP status it maps to. */
export const QR_SESSION_ERROR_STATUS = {
  validation_error: 400,
  not_found: 404,
  already_exists: 409,
} as const

export type QrSessionErrorCode = keyof typeof QR_SESSION_ERROR_STATUS

export const qrSessionErrors = {
  validation: (field: string, message: string) => new DomainError('validation_error', message, { field }),
  eventNotFound: (id: string) => new DomainError('not_found', 'No such club event', { club_event_id: id }),
  notFound: (id: string) => new DomainError('not_found', 'No such QR session', { qr_session_id: id }),
  alreadyExists: (id: string) =>
    new DomainError('already_exists', 'The QR session already exists', { qr_session_id: id }),
}
