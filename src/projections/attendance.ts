import type { AttendanceEvent } from '../domain/attendance/events'
import type { ClubEventEvent } from '../domain/club-event/events'
import type { QrSessionEvent } from '../domain/qr-session/events'
import type { StoredEvent } from '../store/event-store'
import type { Projection, RowChange } from './projection'

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))

/** club_events, with a running attendance count per event. */
export const clubEventsProjection: Projection = {
  name: 'club_events',
  tables: ['club_events'],
  project(stored: StoredEvent): RowChange[] {
    const e = stored as unknown as ClubEventEvent | AttendanceEvent
    switch (e.type) {
      case 'ClubEventCreated': {
        const d = e.data
        return [
          {
            kind: 'insert',
            table: 'club_events',
            row: {
              id: d.club_event_id,
              title: d.title,
              starts_at: d.starts_at,
              ends_at: d.ends_at,
              location: d.location,
              notes: d.notes,
              geofence: json(d.geofence),
              created_by: d.created_by,
              created_at: d.created_at,
              updated_at: d.created_at,
              deleted_at: null,
            },
          },
        ]
      }
      case 'ClubEventUpdated': {
        const set: Record<string, unknown> = { updated_at: e.data.updated_at }
        for (const [k, v] of Object.entries(e.data.changes)) set[k] = k === 'geofence' ? json(v) : v
        return [{ kind: 'update', table: 'club_events', where: { id: e.data.club_event_id }, set }]
      }
      case 'ClubEventDeleted':
        return [
          {
            kind: 'update',
            table: 'club_events',
            where: { id: e.data.club_event_id },
            set: { deleted_at: e.data.deleted_at, updated_at: e.data.deleted_at },
          },
        ]
      case 'AttendanceMarked':
        return [
          {
            kind: 'update',
            table: 'club_events',
            where: { id: e.data.club_event_id },
            set: { attendance_count: { increment: 1 } },
          },
        ]
      default:
        return []
    }
  },
}

export const qrSessionsProjection: Projection = {
  name: 'qr_sessions',
  tables: ['qr_sessions'],
  project(stored: StoredEvent): RowChange[] {
    const e = stored as unknown as QrSessionEvent
    switch (e.type) {
      case 'QrIssued': {
        const d = e.data
        return [
          {
            kind: 'insert',
            table: 'qr_sessions',
            row: {
              id: d.qr_session_id,
              club_event_id: d.club_event_id,
              nonce: d.nonce,
              key_id: d.key_id,
              issued_by: d.issued_by,
              issued_at: d.issued_at,
              expires_at: d.expires_at,
              revoked_at: null,
              revoked_by: null,
            },
          },
        ]
      }
      case 'QrRevoked':
        return [
          {
            kind: 'update',
            table: 'qr_sessions',
            where: { id: e.data.qr_session_id },
            set: { revoked_at: e.data.revoked_at, revoked_by: e.data.revoked_by },
          },
        ]
      default:
        return []
    }
  },
}

/** attendance_records and used_nonces: what each member marked, and with which nonce. */
export const attendanceProjection: Projection = {
  name: 'attendance_records',
  tables: ['attendance_records', 'used_nonces'],
  project(stored: StoredEvent): RowChange[] {
    const e = stored as unknown as AttendanceEvent
    if (e.type !== 'AttendanceMarked') return []
    const d = e.data
    return [
      {
        kind: 'insert',
        table: 'attendance_records',
        row: {
          id: d.attendance_id,
          club_event_id: d.club_event_id,
          user_id: d.user_id,
          qr_session_id: d.qr_session_id,
          marked_at: d.marked_at,
          location: json(d.location),
        },
      },
      {
        kind: 'insert',
        table: 'used_nonces',
        row: {
          nonce: d.nonce,
          user_id: d.user_id,
          club_event_id: d.club_event_id,
          qr_session_id: d.qr_session_id,
          used_at: d.marked_at,
        },
      },
    ]
  },
}
