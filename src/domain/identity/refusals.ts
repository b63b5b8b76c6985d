import { DomainError } from '../decider'

/** Every code the identity commands refuse with. */
export type IdentityRefusal =
  | 'validation_error'
  | 'invalid_email'
  | 'weak_password'
  | 'email_taken'
  | 'not_found'
  | 'already_decided'
  | 'approval_expired'
  | 'invalid_credentials'
  | 'approval_pending'
  | 'approval_rejected'
  | 'account_deactivated'
  | 'account_removed'
  | 'admin_not_removable'
  | 'not_on_self'
  | 'invalid_refresh_token'
  | 'conflict'

export const identityRefusals = {
  invalidEmail: () => new DomainError('invalid_email', 'The email address is not valid'),
  invalidFullName: () =>
    new DomainError('validation_error', 'full_name must be 1 to 200 printable characters', { field: 'full_name' }),
  invalidField: (field: string, message: string) => new DomainError('validation_error', message, { field }),
  /** `message` says why (never repeating the password); `suggestions`, how to choose a better one */
  weakPassword: (message: string, problem: string, suggestions: string[]) =>
    new DomainError('weak_password', message, { problem, suggestions }),
  emailTaken: () => new DomainError('email_taken', 'An account with this email exists or is waiting for approval'),
  noRequest: () => new DomainError('not_found', 'No such approval request'),
  noActiveUser: () => new DomainError('not_found', 'No active user'),
  noMember: () => new DomainError('not_found', 'No such member'),
  adminNotRemovable: () => new DomainError('admin_not_removable', 'Admins cannot be removed: change their role first'),
  notOnSelf: () => new DomainError('not_on_self', 'An admin cannot deactivate or remove their own account'),
  alreadyDecided: () => new DomainError('already_decided', 'The approval request was already decided'),
  requestExpired: () => new DomainError('approval_expired', 'The approval request has expired'),
  requestReplaced: () => new DomainError('approval_expired', 'This request expired and was replaced by a newer one'),
  invalidCredentials: () => new DomainError('invalid_credentials', 'Invalid email or password'),
  /** login refused after the password checked out; the body may say why (the approval request) */
  loginRefused: (
    code: 'approval_pending' | 'approval_rejected' | 'approval_expired' | 'account_deactivated' | 'account_removed',
    details: Record<string, unknown>,
  ) => new DomainError(code, 'Login refused', details),
  invalidRefreshToken: () => new DomainError('invalid_refresh_token', 'The refresh token is not valid'),
  sessionExists: () => new DomainError('conflict', 'Session exists'),
}
