import type { Selectable } from 'kysely'
import type { LegacyIdsTable } from '../../db/database'
import type { AttendanceMarked } from '../../domain/attendance/events'
import type { LegacyAuditRecorded } from '../../domain/audit/events'
import type { ClubEventCreated } from '../../domain/club-events/events'
import type { SignupRequested } from '../../domain/identity/user-events'
import type { Provenance } from '../../domain/legacy/plan-types'
import type { NotificationImported } from '../../domain/notifications/events'
import type { QrIssued } from '../../domain/qr/events'
import type { ResourceUploaded } from '../../domain/resources/events'
import type { Executor, Projection, Recorded, RowChange } from '../projection'

type Creation =
  | SignupRequested
  | ClubEventCreated
  | QrIssued
  | AttendanceMarked
  | ResourceUploaded
  | NotificationImported
  | LegacyAuditRecorded

/** The kind of thing each creating event makes, and its id here. */
function entity(e: Recorded<Creation>): { entity_type: string; entity_id: string } {
  switch (e.type) {
    case 'SignupRequested':
      return { entity_type: 'user', entity_id: e.data.user_id }
    case 'ClubEventCreated':
      return { entity_type: 'club_event', entity_id: e.data.club_event_id }
    case 'QrIssued':
      return { entity_type: 'qr_session', entity_id: e.data.qr_session_id }
    case 'AttendanceMarked':
      return { entity_type: 'attendance', entity_id: e.data.attendance_id }
    case 'ResourceUploaded':
      return { entity_type: 'resource', entity_id: e.data.resource_id }
    case 'NotificationImported':
      return { entity_type: 'notification', entity_id: e.data.notification_id }
    case 'LegacyAuditRecorded':
      return { entity_type: 'audit_entry', entity_id: e.id }
  }
}

/** legacy_ids: a row per imported legacy row, from the event that created what it became (its provenance). */
export const legacyIdsProjection: Projection<Creation> = {
  name: 'legacy_ids',
  tables: ['legacy_ids'],
  canHandle: [
    'SignupRequested',
    'ClubEventCreated',
    'QrIssued',
    'AttendanceMarked',
    'ResourceUploaded',
    'NotificationImported',
    'LegacyAuditRecorded',
  ],
  project(e): RowChange[] {
    const legacy = e.metadata.legacy as Provenance | undefined
    const at = e.metadata.occurred_at
    if (!legacy || typeof at !== 'string') return []
    return [
      {
        kind: 'insert',
        table: 'legacy_ids',
        row: { source: legacy.source, legacy_table: legacy.table, legacy_id: legacy.id, ...entity(e), occurred_at: at },
        onConflict: 'nothing',
      },
    ]
  },
}

export type LegacyIdView = Omit<Selectable<LegacyIdsTable>, 'occurred_at'> & { occurred_at: string }

/** What a legacy id became, in every source and table that used it (an integer id is in many tables); or what became of our id. */
export async function findLegacyIds(db: Executor, id: string, limit: number): Promise<LegacyIdView[]> {
  const rows = await db
    .selectFrom('legacy_ids')
    .selectAll()
    .where((eb) => eb.or([eb('legacy_id', '=', id), eb('entity_id', '=', id.toLowerCase())]))
    .orderBy('occurred_at')
    .orderBy('legacy_table')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ ...r, occurred_at: r.occurred_at.toISOString() }))
}
