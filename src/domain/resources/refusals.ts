import { DomainError } from '../decider'

/** Every code the resource commands refuse with. */
export type ResourceRefusal =
  | 'validation_error'
  | 'not_found'
  | 'already_exists'
  | 'event_not_found'
  | 'file_type_not_allowed'
  | 'file_too_large'
  | 'empty_file'

export const resourceRefusals = {
  validation: (field: string, message: string) => new DomainError('validation_error', message, { field }),
  notFound: (id: string) => new DomainError('not_found', 'No such resource', { resource_id: id }),
  alreadyExists: (id: string) => new DomainError('already_exists', 'The resource already exists', { resource_id: id }),
  clubEventNotFound: (id: string) => new DomainError('event_not_found', 'No such club event', { club_event_id: id }),
  typeNotAllowed: (message: string) => new DomainError('file_type_not_allowed', message),
  tooLarge: (maxBytes: number) =>
    new DomainError('file_too_large', `The file is larger than ${maxBytes} bytes`, { max_bytes: maxBytes }),
  empty: () => new DomainError('empty_file', 'The file is empty'),
}
