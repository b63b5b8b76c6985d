import { DomainError } from '../decider'

/** Every code the club event commands refuse with. */
export type ClubEventRefusal = 'validation_error' | 'not_found' | 'already_exists'

export const clubEventRefusals = {
  validation: (field: string, message: string) => new DomainError('validation_error', message, { field }),
  notFound: (id: string) => new DomainError('not_found', 'No such club event', { club_event_id: id }),
  alreadyExists: (id: string) =>
    new DomainError('already_exists', 'The club event already exists', { club_event_id: id }),
}
