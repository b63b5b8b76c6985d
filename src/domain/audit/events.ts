import type { DomainEvent } from '../decider'

interface Denial {
  method: string
  route: string
  required: string
  reason: 'unauthorized' | 'forbidden'
}

/**
 * A request its route's access rule refused: no caller on an admin route, or
 * a caller of the wrong role. The first such refusal of a source (an address
 * without a caller, else the caller) on a route within a window.
 */
export type AccessDenied = DomainEvent<'AccessDenied', Denial & { denied_at: string }>

/**
 * The refusals of that source on that route after the first, within the
 * window [window_start, window_end): `count` of them, `throttled` of which
 * were answered 429 by the per-address limit. A flood is recorded as a few
 * events a window rather than one a request.
 */
export type AccessDeniedRepeated = DomainEvent<
  'AccessDeniedRepeated',
  Denial & {
    count: number
    throttled: number
    first_denied_at: string
    last_denied_at: string
    window_start: string
    window_end: string
  }
>

/** One log stream per day: refusals need no decision, and a day's stream stays a readable size. */
export const securityStream = (now: Date) => `security-${now.toISOString().slice(0, 10)}`
