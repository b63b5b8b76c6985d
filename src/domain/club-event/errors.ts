import { DomainError } from '../decider'

/** Every code this aggregate refuses with, and the HTTP status it maps to. */
export const CLUB_EVENT_ERROR_STATUS = {
  validation_error: 400,
  not_found: 404,
  already_exists: 409,
} as const

export type ClubEventErrorCode = keyof typeof CLUB_EVENT_ERROR_STATUS

export const clubEventErrors = {
  validation: (field: string, message: string) => new DomainError('validation_error', message, { field }),
  notFound: (id: string) => new DomainError('not_found', 'No such club event', { club_event_id: id }),
  alreadyExists: (id: string) =>
    new DomainError('already_exists', 'The club event already exists', { club_event_id: id }),
}
