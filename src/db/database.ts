import type { ColumnType, Generated } from 'kysely'
import type { ClubEventLifecycle } from '../domain/club-events/lifecycle'
import type { Role } from '../domain/identity/user-events'
import type { NotificationType } from '../domain/notifications/text'

/**
 * Every read-side table and analytics view, typed as kysely's docs show: a
 * timestamptz is read as a Date and written as a Date or an ISO string; a jsonb
 * column is read as its value and written as JSON text; a status column is the
 * union of its values. Code passes Selectable<>/Insertable<> rows, never these.
 */
export interface Database {
  projection_checkpoints: ProjectionCheckpointsTable
  users: UsersTable
  approval_requests: ApprovalRequestsTable
  club_events: ClubEventsTable
  club_calendar: ClubCalendarTable
  qr_sessions: QrSessionsTable
  attendance_records: AttendanceRecordsTable
  member_marks: MemberMarksTable
  notifications: NotificationsTable
  notification_admins: NotificationAdminsTable
  notification_club_events: NotificationClubEventsTable
  notification_attendees: NotificationAttendeesTable
  notification_feed: NotificationFeedTable
  notification_unread: NotificationUnreadTable
  audit_log: AuditLogTable
  event_chain: EventChainTable
  resources: ResourcesTable
  legacy_ids: LegacyIdsTable
  'analytics.attendance_per_event': AttendancePerEventView
  'analytics.attendance_per_member': AttendancePerMemberView
  'analytics.attendance_per_day': AttendancePerDayView
  'analytics.signups_per_day': SignupsPerDayView
  'analytics.decisions_per_day': DecisionsPerDayView
}

export type Timestamp = ColumnType<Date, Date | string, Date | string>
/** jsonb: read as its value, written as JSON text (JSON.stringify) */
export type Json<T> = ColumnType<T, string, string>
/** int8: node-postgres reads it as a string (so it is never rounded), PGlite as a number */
type Int8 = ColumnType<string | number, string | number | bigint, string | number | bigint>

export interface GeofenceColumn {
  lat: number
  lng: number
  radius_m: number
}

export interface ClubEventsTable {
  id: string
  title: string
  starts_at: Timestamp
  ends_at: Timestamp
  location: string | null
  notes: string | null
  geofence: Json<GeofenceColumn | null> | null
  created_by: string
  created_at: Timestamp
  updated_at: Timestamp
  deleted_at: Timestamp | null
  attendance_count: Generated<number>
  description: string | null
  /** the club's status of the event: scheduled, active, completed or cancelled (shown as `status`) */
  lifecycle: Generated<ClubEventLifecycle>
}

export interface QrSessionsTable {
  id: string
  club_event_id: string
  nonce: string
  key_id: string
  issued_by: string
  issued_at: Timestamp
  expires_at: Timestamp
  revoked_at: Timestamp | null
  revoked_by: string | null
  /** set by a rotation: the replaced code marks until then (never past expires_at) */
  valid_until: Timestamp | null
}

export interface AttendanceRecordsTable {
  id: string
  club_event_id: string
  user_id: string
  qr_session_id: string
  marked_at: Timestamp
  location: Json<{ lat: number; lng: number; accuracy_m: number } | null> | null
}

/** One row (id 1): its version moves whenever the club's calendar does (projections/club-events/calendar.ts). */
export interface ClubCalendarTable {
  id: number
  version: Int8
}

/** how many marks a member has made, kept by its own projection (as many as their rows in attendance_records) */
export interface MemberMarksTable {
  user_id: string
  marks: number
}

export type UserStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'deactivated' | 'removed'

export interface UsersTable {
  id: string
  email: string
  full_name: string
  role: Role | null
  status: UserStatus
  created_at: Timestamp
  approved_at: Timestamp | null
  updated_at: Timestamp
  section: string | null
  branch: string | null
  year: string | null
  bio: string | null
  /** jsonb array; defaults to [] */
  skills: ColumnType<string[], string | undefined, string>
}

/** a pending row past expires_at reads as expired (the sweep records it later) */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired'

export interface ApprovalRequestsTable {
  id: string
  user_id: string
  email: string
  full_name: string
  status: ApprovalStatus
  requested_at: Timestamp
  expires_at: Timestamp
  decided_at: Timestamp | null
  decided_by: string | null
  reason: string | null
}

export interface ProjectionCheckpointsTable {
  name: string
  /** the store's opaque position of the last event applied */
  position: string
  updated_at: Generated<Date>
  /** CREATE INDEX statements of the indexes its tables go without while it builds (projections/deferred-indexes.ts) */
  deferred_indexes: Generated<string[] | null>
  /** when its build from position 0 began, while its tables hold only part of the history (projections/building.ts) */
  building_since: Generated<Date | null>
}

export interface NotificationsTable {
  /** derived from the causing event (or the coalescing key), so a rebuild writes the same id */
  id: string
  user_id: string
  type: NotificationType
  title: string
  body: string
  data: Json<Record<string, unknown>>
  created_at: Timestamp
  updated_at: Timestamp
  read_at: Timestamp | null
  /** facts coalesced into this row (attendance marks in one minute) */
  count: Generated<number>
  /** feed ordinal of the event that last changed the row */
  seq: Int8
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

/** Who marked attendance at a club event, as of the feed so far: told when it is cancelled. */
export interface NotificationAttendeesTable {
  club_event_id: string
  user_id: string
}

/** A member's unread notifications, counted as they change (so a list never counts them). */
export interface NotificationUnreadTable {
  user_id: string
  unread: number
}

/** One row: how many feed events the notifications consumer has seen. */
export interface NotificationFeedTable {
  id: number
  events_seen: Int8
}

/** One row per stored event (projections/audit/audit-log.ts); secrets redacted, control characters escaped. */
export interface AuditLogTable {
  /** the event's id */
  id: string
  /** the event's recorded_at */
  at: Timestamp
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
  details: Json<Record<string, unknown>>
}

/** The HMAC hash chain over the global feed (domain/audit/chain.ts). */
export interface EventChainTable {
  position: string
  /** 0-based place in the feed */
  seq: Int8
  link: string
}

/** Study resources (projections/resources/resources.ts); the bytes are in blob_chunks, not here. */
export interface ResourcesTable {
  id: string
  title: string
  description: string | null
  file_name: string
  content_type: string
  size: number
  sha256: string
  club_event_id: string | null
  uploaded_by: string
  uploaded_at: Timestamp
  deleted_at: Timestamp | null
  deleted_by: string | null
  downloads: Generated<number>
}

// The analytics views (docs/analytics.md): read-only, so insert and update types are never.
type View<T> = { [K in keyof T]: ColumnType<T[K], never, never> }

type AttendancePerEventView = View<{
  club_event_id: string
  title: string
  starts_at: Date
  ends_at: Date
  created_by: string
  attendance_count: number
}>
type AttendancePerMemberView = View<{
  user_id: string
  email: string
  full_name: string
  approved_at: Date | null
  events_attended: number
  events_held_since_joined: number
  /** numeric: node-postgres reads it as a string */
  attendance_rate: string | null
}>
/** `day` is a date: node-postgres reads it as a Date at local midnight */
type AttendancePerDayView = View<{ day: Date; marks: number; members: number }>
type SignupsPerDayView = View<{ day: Date; signups: number }>
type DecisionsPerDayView = View<{ day: Date; approved: number; rejected: number; expired: number }>

/** What an imported row of the original portal became here (docs/migration.md). */
export interface LegacyIdsTable {
  /** the import's source key */
  source: string
  legacy_table: string
  legacy_id: string
  /** user, club_event, qr_session, attendance, resource, notification, audit_entry */
  entity_type: string
  entity_id: string
  /** when it happened in the portal */
  occurred_at: Timestamp
}
