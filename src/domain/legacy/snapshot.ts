/**
 * The original portal's history, read out of either of its schemas into one
 * shape (read.ts). Times are ISO-8601 UTC; ids are the legacy ids as text;
 * enum values are lower case. Nothing here is ours yet: plan.ts decides what
 * each row becomes.
 */
export type LegacyVersion = 'v1' | 'v2'

/** The legacy tables the import reads, in the names the portal gave them. */
export const LEGACY_TABLES = [
  'users',
  'approval_requests',
  'events',
  'qr_sessions',
  'attendance_sessions',
  'attendance_records',
  'notifications',
  'study_materials',
  'audit_logs',
  'used_nonces',
] as const
export type LegacyTable = (typeof LEGACY_TABLES)[number]

export interface LegacyProfile {
  section: string | null
  branch: string | null
  year: string | null
  bio: string | null
  skills: string[]
}

export interface LegacyUser {
  id: string
  /** as stored: normalising it is the plan's job */
  email: string
  full_name: string | null
  password_hash: string
  /** lower case: admin, student, member (v1), pending (v1), or anything a database held */
  role: string | null
  is_active: boolean
  created_at: string | null
  updated_at: string | null
  profile: LegacyProfile | null
}

export interface LegacyApproval {
  id: string
  user_id: string | null
  /** pending, approved, rejected, timeout */
  status: string | null
  requested_at: string | null
  expires_at: string | null
  decided_at: string | null
  decided_by: string | null
  approved_role: string | null
  rejection_reason: string | null
}

export interface LegacyClubEvent {
  id: string
  title: string | null
  description: string | null
  starts_at: string | null
  created_by: string | null
  created_at: string | null
  updated_at: string | null
  deleted: boolean
  deleted_at: string | null
  notes: string | null
  /** v1's status and v2 PostgreSQL's; null where the schema has none */
  status: string | null
}

/** A v2 QR session, or a v1 attendance session (what v2 replaced it with). */
export interface LegacyQrSession {
  id: string
  table: 'qr_sessions' | 'attendance_sessions'
  event_id: string | null
  created_by: string | null
  issued_at: string | null
  /** v2's expiry, v1's ended_at; null for a v1 session never ended */
  ends_at: string | null
  revoked: boolean
  revoked_at: string | null
}

export interface LegacyAttendance {
  id: string
  user_id: string | null
  /** v2 names the event; v1 only the session */
  event_id: string | null
  session_id: string | null
  /** v1: present or absent; v2 keeps only the present */
  status: string
  marked_at: string | null
  ip: string | null
  user_agent: string | null
}

export interface LegacyNotification {
  id: string
  recipient_id: string | null
  type: string | null
  title: string | null
  message: string | null
  data: unknown
  is_read: boolean
  created_at: string | null
  read_at: string | null
}

export interface LegacyMaterial {
  id: string
  event_id: string | null
  title: string | null
  description: string | null
  file_path: string | null
  file_name: string | null
  uploaded_by: string | null
  uploaded_at: string | null
}

export interface LegacyAuditEntry {
  id: string
  user_id: string | null
  action: string | null
  resource_type: string | null
  resource_id: string | null
  meta: unknown
  ip: string | null
  user_agent: string | null
  created_at: string | null
}

export interface LegacySnapshot {
  version: LegacyVersion
  users: LegacyUser[]
  approvals: LegacyApproval[]
  events: LegacyClubEvent[]
  sessions: LegacyQrSession[]
  attendance: LegacyAttendance[]
  notifications: LegacyNotification[]
  materials: LegacyMaterial[]
  audit: LegacyAuditEntry[]
  /** rows per legacy table present in the source, those the import does not carry over included */
  rows: Partial<Record<LegacyTable, number>>
}
