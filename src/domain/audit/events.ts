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
 * the per-address limit turned away as too many. A flood is recorded as a few
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

/**
 * A row of the original portal's audit log, brought in by the import
 * (docs/migration.md): its action in the portal's words, who did it as they
 * are known here, and its details with secrets redacted before it is stored.
 */
export type LegacyAuditRecorded = DomainEvent<
  'LegacyAuditRecorded',
  {
    legacy_action: string
    /** the actor's id here, when they were imported; null for the system or a user we do not have */
    user_id: string | null
    legacy_user_id: string | null
    resource_type: string | null
    resource_id: string | null
    details: unknown
    occurred_at: string
  }
>

/** One log stream per imported source: its entries in the order the portal wrote them. */
export const legacyAuditStream = (source: string) => `legacy_audit-${source}`
