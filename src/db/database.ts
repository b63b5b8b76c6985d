import type { ColumnType, Generated } from 'kysely'

/** Every read-side table. Code passes Selectable<>/Insertable<> rows, never these. */
export interface Database {
  projection_checkpoints: ProjectionCheckpointsTable
  users: UsersTable
  approval_requests: ApprovalRequestsTable
  sessions: SessionsTable
  club_events: ClubEventsTable
  qr_sessions: QrSessionsTable
  attendance_records: AttendanceRecordsTable
  used_nonces: UsedNoncesTable
  notifications: NotificationsTable
  notification_admins: NotificationAdminsTable
  notification_club_events: NotificationClubEventsTable
  notification_feed: NotificationFeedTable
  audit_log: AuditLogTable
  event_chain: EventChainTable
}

export interface ClubEventsTable {
  id: string
  title: string
  starts_at: Date
  ends_at: Date
  location: string | null
  notes: string | null
  /** {lat, lng, radius_m} */
  geofence: unknown
  created_by: string
  created_at: Date
  updated_at: Date
  deleted_at: Date | null
  attendance_count: Generated<number>
}

export interface QrSessionsTable {
  id: string
  club_event_id: string
  nonce: string
  key_id: string
  issued_by: string
  issued_at: Date
  expires_at: Date
  revoked_at: Date | null
  revoked_by: string | null
}

export interface AttendanceRecordsTable {
  id: string
  club_event_id: string
  user_id: string
  qr_session_id: string
  marked_at: Date
  location: unknown
}

export interface UsedNoncesTable {
  nonce: string
  user_id: string
  club_event_id: string
  qr_session_id: string
  used_at: Date
}

export interface UsersTable {
  id: string
  email: string
  full_name: string
  role: 'student' | 'admin' | null
  /** pending | approved | rejected | expired | deactivated */
  status: string
  created_at: Date
  approved_at: Date | null
  updated_at: Date
}

export interface ApprovalRequestsTable {
  id: string
  user_id: string
  email: string
  full_name: string
  /** pending | approved | rejected | expired (a pending row past expires_at reads as expired) */
  status: string
  requested_at: Date
  expires_at: Date
  decided_at: Date | null
  decided_by: string | null
  reason: string | null
}

export interface SessionsTable {
  id: string
  user_id: string
  started_at: Date
  expires_at: Date
  last_refreshed_at: Date | null
  revoked_at: Date | null
  revoke_reason: string | null
}

export interface ProjectionCheckpointsTable {
  name: string
  /** the store's opaque position of the last event applied */
  position: string
  updated_at: Generated<Date>
}

export interface NotificationsTable {
  /** derived from the causing event (or the coalescing key), so a rebuild writes the same id */
  id: string
  user_id: string
  /** signup_requested | approval_approved | approval_rejected | approval_expired | attendance_marked */
  type: string
  title: string
  body: string
  data: unknown
  created_at: Date
  updated_at: Date
  read_at: Date | null
  /** facts coalesced into this row (attendance marks in one minute) */
  count: Generated<number>
  /** feed ordinal of the event that last changed the row; int8 arrives as a string from pg */
  seq: ColumnType<string | number, number, number>
}

/** Admins as of the event being applied (the notifications consumer's own state). */
export interface NotificationAdminsTable {
  user_id: string
}

export interface NotificationClubEventsTable {
  id: string
  created_by: string
  title: string
}

/** One row: how many feed events the notifications consumer has seen. */
export interface NotificationFeedTable {
  id: number
  events_seen: ColumnType<string | number, number, number>
}

/** One row per stored event (src/projections/audit-log.ts); secrets redacted, control characters escaped. */
export interface AuditLogTable {
  /** the event's id */
  id: string
  /** the event's recorded_at */
  at: Date
  /** the store's opaque position */
  position: string
  stream: string
  event_type: string
  /** OWASP logging vocabulary: authn_login_fail, authz_fail, attendance_marked… */
  action: string
  outcome: 'success' | 'failure'
  actor_id: string | null
  actor_role: string | null
  target_type: string | null
  target_id: string | null
  ip: string | null
  user_agent: string | null
  request_id: string | null
  correlation_id: string | null
  details: unknown
}

/** The HMAC hash chain over the global feed (src/audit/chain.ts). */
export interface EventChainTable {
  position: string
  /** 0-based place in the feed; bigint comes back from pg as a string */
  seq: ColumnType<string, string | number | bigint, never>
  link: string
}
