import { bool, idOf, isoTime, json, lower, text } from './values'
import type {
  LegacyAttendance,
  LegacyProfile,
  LegacySnapshot,
  LegacyTable,
  LegacyUser,
  LegacyVersion,
} from './snapshot'
import { LEGACY_TABLES } from './snapshot'

type Row = Record<string, unknown>

/** What a reader hands over: each table's columns and rows, cells as the driver gave them. */
export interface RawTables {
  columns: Record<string, string[]>
  rows: Record<string, Row[]>
}

class NotALegacyDatabase extends Error {
  override readonly name = 'NotALegacyDatabase'
}

/**
 * v1 (before the upgrade) has users.name and attendance_sessions; v2 has
 * users.full_name and qr_sessions. A v1 database that the upgraded backend
 * opened also holds v2's new tables, empty: its users table decides.
 */
function detectVersion(columns: Record<string, string[]>): LegacyVersion {
  const users = columns.users
  if (!users) throw new NotALegacyDatabase('no users table: not a DS Club Portal database')
  if (users.includes('full_name')) return 'v2'
  if (users.includes('name') && columns.attendance_sessions) return 'v1'
  throw new NotALegacyDatabase('a users table with neither full_name (v2) nor name (v1)')
}

/** The tables of `raw` the import reads, and how many rows each holds. */
function rowCounts(raw: RawTables): Partial<Record<LegacyTable, number>> {
  const out: Partial<Record<LegacyTable, number>> = {}
  for (const t of LEGACY_TABLES) if (raw.columns[t]) out[t] = raw.rows[t]?.length ?? 0
  return out
}

function skillsOf(v: unknown): string[] {
  return (text(v) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function profileOf(r: Row): LegacyProfile | null {
  const p = {
    section: text(r.section),
    branch: text(r.branch),
    year: text(r.year),
    bio: text(r.bio),
    skills: skillsOf(r.skills),
  }
  return p.section || p.branch || p.year || p.bio || p.skills.length ? p : null
}

function user(r: Row, version: LegacyVersion): LegacyUser {
  return {
    id: idOf(r.id) ?? '',
    email: text(r.email) ?? '',
    full_name: text(version === 'v1' ? r.name : r.full_name),
    password_hash: typeof r.hashed_password === 'string' ? r.hashed_password : '',
    role: lower(r.role),
    // v1's column is nullable: SQLAlchemy's default (true) when it was never set
    is_active: r.is_active === null || r.is_active === undefined ? version === 'v1' : bool(r.is_active),
    created_at: isoTime(r.created_at),
    updated_at: isoTime(r.updated_at),
    profile: version === 'v2' ? profileOf(r) : null,
  }
}

function attendanceV1(r: Row): LegacyAttendance {
  return {
    id: idOf(r.id) ?? '',
    user_id: idOf(r.user_id),
    event_id: null,
    session_id: idOf(r.session_id),
    status: lower(r.status) ?? 'present',
    marked_at: isoTime(r.marked_at),
    ip: null,
    user_agent: null,
  }
}

function attendanceV2(r: Row): LegacyAttendance {
  return {
    id: idOf(r.id) ?? '',
    user_id: idOf(r.user_id),
    event_id: idOf(r.event_id),
    session_id: idOf(r.qr_session_id),
    status: 'present',
    marked_at: isoTime(r.marked_at),
    ip: text(r.ip_address),
    user_agent: text(r.user_agent),
  }
}

/** v1 kept the instructor and what was taught; v2 moved both into notes (the upgrade summary). */
function v1Notes(r: Row): string | null {
  const parts = [
    text(r.instructor) && `Instructor: ${text(r.instructor)}`,
    text(r.what_was_taught) && `What was taught: ${text(r.what_was_taught)}`,
  ].filter(Boolean)
  return parts.length ? parts.join('\n') : null
}

/** Every row of `raw` in the one shape the plan reads. */
export function readSnapshot(raw: RawTables): LegacySnapshot {
  const version = detectVersion(raw.columns)
  const rows = (t: string) => raw.rows[t] ?? []
  const v1 = version === 'v1'
  return {
    version,
    rows: rowCounts(raw),
    users: rows('users').map((r) => user(r, version)),
    approvals: rows('approval_requests').map((r) => ({
      id: idOf(r.id) ?? '',
      user_id: idOf(r.user_id),
      status: lower(r.status),
      requested_at: isoTime(r.requested_at),
      expires_at: isoTime(r.expires_at),
      decided_at: isoTime(r.decided_at),
      decided_by: idOf(r.decided_by),
      approved_role: lower(r.approved_role),
      rejection_reason: text(r.rejection_reason),
    })),
    events: rows('events').map((r) => ({
      id: idOf(r.id) ?? '',
      title: text(r.title),
      description: text(r.description),
      starts_at: isoTime(v1 ? r.date : r.scheduled_at),
      created_by: idOf(r.created_by),
      created_at: isoTime(r.created_at),
      updated_at: isoTime(r.updated_at),
      deleted: bool(r.is_deleted),
      deleted_at: isoTime(r.deleted_at),
      notes: v1 ? v1Notes(r) : text(r.notes),
      status: lower(r.status),
    })),
    sessions: v1
      ? rows('attendance_sessions').map((r) => ({
          id: idOf(r.id) ?? '',
          table: 'attendance_sessions' as const,
          event_id: idOf(r.event_id),
          created_by: null,
          issued_at: isoTime(r.started_at),
          ends_at: isoTime(r.ended_at),
          revoked: false,
          revoked_at: null,
        }))
      : rows('qr_sessions').map((r) => ({
          id: idOf(r.id) ?? '',
          table: 'qr_sessions' as const,
          event_id: idOf(r.event_id),
          created_by: idOf(r.created_by),
          issued_at: isoTime(r.created_at),
          ends_at: isoTime(r.expires_at),
          revoked: bool(r.is_revoked),
          revoked_at: isoTime(r.revoked_at),
        })),
    attendance: rows('attendance_records').map(v1 ? attendanceV1 : attendanceV2),
    notifications: rows('notifications').map((r) => ({
      id: idOf(r.id) ?? '',
      recipient_id: idOf(r.recipient_id),
      type: text(r.type),
      title: text(r.title),
      message: text(r.message),
      data: json(r.notification_data),
      is_read: bool(r.is_read),
      created_at: isoTime(r.created_at),
      read_at: isoTime(r.read_at),
    })),
    materials: rows('study_materials').map((r) => ({
      id: idOf(r.id) ?? '',
      event_id: idOf(r.event_id),
      title: text(r.title),
      description: text(r.description),
      file_path: text(r.file_path),
      file_name: text(v1 ? r.filename : r.file_name),
      uploaded_by: idOf(r.uploaded_by),
      uploaded_at: isoTime(r.uploaded_at),
    })),
    audit: rows('audit_logs').map((r) => ({
      id: idOf(r.id) ?? '',
      user_id: idOf(r.user_id),
      action: text(r.action),
      resource_type: text(r.resource_type),
      resource_id: idOf(r.resource_id),
      meta: json(r.meta_data),
      ip: text(r.ip_address),
      user_agent: text(r.user_agent),
      created_at: isoTime(r.created_at),
    })),
  }
}
