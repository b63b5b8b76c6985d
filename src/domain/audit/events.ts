import type { DomainEvent } from '../decider'

/** A request its route's access rule refused: no caller on an admin route, or a caller of the wrong role. */
export type AccessDenied = DomainEvent<
  'AccessDenied',
  { method: string; route: string; required: string; reason: 'unauthorized' | 'forbidden'; denied_at: string }
>

/** One log stream per day: refusals need no decision, and a day's stream stays a readable size. */
export const securityStream = (now: Date) => `security-${now.toISOString().slice(0, 10)}`
