import type { Generated } from 'kysely'

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
