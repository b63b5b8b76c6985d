/**
 * Event type → the OWASP logging vocabulary's name for it (authn_*, authz_*,
 * user_* …). These names are an API: auditors filter and alert on them, so
 * they are never renamed. A type not listed here is logged as
 * `event_<snake_case type>` rather than dropped: the audit log has one row
 * per stored event, whoever adds the event.
 */
export interface Classified {
  action: string
  outcome: 'success' | 'failure'
  target_type: string | null
  target_id: string | null
}

type Data = Record<string, unknown>
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

const target = (type: string, id: unknown) => ({ target_type: type, target_id: str(id) })
const user = (d: Data) => target('user', d.user_id)
const session = (d: Data) => target('session', d.session_id)
const clubEvent = (d: Data) => target('club_event', d.club_event_id)
const qrSession = (d: Data) => target('qr_session', d.qr_session_id)
const resource = (d: Data) => target('resource', d.resource_id)
const deniedRoute = (d: Data) => ({
  action: 'authz_fail',
  outcome: 'failure' as const,
  target_type: 'route',
  target_id: [str(d.method), str(d.route)].filter(Boolean).join(' ') || null,
})

const LEGACY_FAILURE = /fail|denied|reject|invalid/i

const KNOWN: Record<string, (d: Data) => Omit<Classified, 'outcome'> & { outcome?: Classified['outcome'] }> = {
  SignupRequested: (d) => ({ action: 'authn_signup_requested', ...user(d) }),
  LoginSucceeded: (d) => ({ action: 'authn_login_success', ...user(d) }),
  LoginFailed: (d) => ({ action: 'authn_login_fail', outcome: 'failure', ...user(d) }),
  SessionStarted: (d) => ({ action: 'authn_session_started', ...session(d) }),
  // index entries (domain/identity/indexes.ts): bookkeeping, but stored events, so rows too
  ApprovalRequestIndexed: (d) => ({ action: 'authn_signup_indexed', ...user(d) }),
  SessionIndexed: (d) => ({ action: 'authn_session_indexed', ...session(d) }),
  SessionRefreshed: (d) => ({ action: 'authn_token_refreshed', ...session(d) }),
  SessionRevoked: (d) =>
    d.reason === 'refresh_token_reuse'
      ? { action: 'authn_token_reuse', outcome: 'failure', ...session(d) }
      : { action: d.reason === 'logout' ? 'authn_logout' : 'authn_session_revoked', ...session(d) },
  AccessDenied: (d) => deniedRoute(d),
  // the same failures, counted (details.count): an alert on authz_fail sees them too
  AccessDeniedRepeated: (d) => deniedRoute(d),
  ApprovalDecided: (d) => ({ action: d.decision === 'approved' ? 'user_approved' : 'user_rejected', ...user(d) }),
  ApprovalExpired: (d) => ({ action: 'user_approval_expired', ...user(d) }),
  UserRoleChanged: (d) => ({ action: 'authz_role_changed', ...user(d) }),
  UserDeactivated: (d) => ({ action: 'user_deactivated', ...user(d) }),
  UserReactivated: (d) => ({ action: 'user_reactivated', ...user(d) }),
  UserRemoved: (d) => ({ action: 'user_removed', ...user(d) }),
  ProfileUpdated: (d) => ({ action: 'user_profile_updated', ...user(d) }),
  ClubEventCreated: (d) => ({ action: 'club_event_created', ...clubEvent(d) }),
  ClubEventUpdated: (d) => ({ action: 'club_event_updated', ...clubEvent(d) }),
  ClubEventDeleted: (d) => ({ action: 'club_event_deleted', ...clubEvent(d) }),
  // details carry from and to: the path an event's status took
  ClubEventStatusChanged: (d) => ({ action: 'club_event_status_changed', ...clubEvent(d) }),
  QrIssued: (d) => ({ action: 'qr_issued', ...qrSession(d) }),
  QrRevoked: (d) => ({ action: 'qr_revoked', ...qrSession(d) }),
  // the replaced session is the target; details name the next one
  QrRotated: (d) => ({ action: 'qr_rotated', ...qrSession(d) }),
  AttendanceMarked: (d) => ({ action: 'attendance_marked', ...clubEvent(d) }),
  AttendanceRejected: (d) => ({ action: 'attendance_rejected', outcome: 'failure', ...clubEvent(d) }),
  ResourceUploaded: (d) => ({ action: 'resource_uploaded', ...resource(d) }),
  ResourceDeleted: (d) => ({ action: 'resource_deleted', ...resource(d) }),
  ResourceDownloaded: (d) => ({ action: 'resource_downloaded', ...resource(d) }),
  // the original portal's own words, prefixed so they never pass for ours (docs/migration.md)
  LegacyAuditRecorded: (d) => ({
    action: `legacy_${snakeCase(String(d.legacy_action ?? ''))}`,
    outcome: LEGACY_FAILURE.test(String(d.legacy_action ?? '')) ? 'failure' : 'success',
    target_type: str(d.resource_type),
    target_id: str(d.resource_id),
  }),
}

/** `NotificationRead` → `notification_read`; anything unsafe in a name becomes `_`. */
export function snakeCase(type: string): string {
  return type
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 56)
}

const GUESS: [key: string, type: string][] = [
  ['user_id', 'user'],
  ['club_event_id', 'club_event'],
  ['qr_session_id', 'qr_session'],
  ['session_id', 'session'],
]

// a refusal recorded under a type we do not know yet still reads as a failure
const REFUSAL = /(Failed|Denied|Rejected|Refused)$/

export function classify(event: { type: string; data: unknown }): Classified {
  const data = (event.data !== null && typeof event.data === 'object' ? event.data : {}) as Data
  const known = Object.hasOwn(KNOWN, event.type) ? KNOWN[event.type]!(data) : undefined
  if (known) return { outcome: 'success', ...known }
  // an unknown event still names what it is about when it carries a usual id
  const guess = GUESS.find(([key]) => str(data[key]))
  return {
    action: `event_${snakeCase(event.type)}`,
    outcome: REFUSAL.test(event.type) ? 'failure' : 'success',
    target_type: guess?.[1] ?? null,
    target_id: guess ? str(data[guess[0]]) : null,
  }
}
