import type { DomainEvent } from '../decider'

/**
 * Login attempts: facts for the audit log, decided by nobody, so they are
 * appended to a log stream per account with expected revision `any`.
 */
export type LoginSucceeded = DomainEvent<
  'LoginSucceeded',
  { user_id: string; session_id: string; logged_in_at: string }
>

/** `reason` says what failed (unknown_email, wrong_password, approval_pending…); the client only ever hears the code. */
export type LoginFailed = DomainEvent<
  'LoginFailed',
  { user_id: string | null; email: string | null; reason: string; failed_at: string }
>

export const loginStream = (userId: string) => `login-${userId}`

/** Attempts with an address that is not an email at all: there is no account to file them under. */
export const INVALID_LOGIN_STREAM = 'login-invalid'
