import type { Selectable } from 'kysely'
import type { QrSessionsTable } from '../../db/database'
import type { QrIssued, QrSessionEvent } from '../../domain/qr/events'
import type { Executor, Projection, RowChange } from '../projection'

/** qr_sessions: every QR code issued, for the admin's list of live codes and their images. */
export const qrSessionsProjection: Projection<QrSessionEvent> = {
  name: 'qr_sessions',
  tables: ['qr_sessions'],
  canHandle: ['QrIssued', 'QrRevoked', 'QrRotated'],
  project(e): RowChange[] {
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
      case 'QrRotated':
        // the next session is a QrIssued of its own
        return [
          {
            kind: 'update',
            table: 'qr_sessions',
            where: { id: e.data.qr_session_id },
            set: { valid_until: e.data.valid_until },
          },
        ]
    }
  },
}

type Row = Selectable<QrSessionsTable>

/** A row as the QrIssued event it came from: what the payload is signed from. */
function issuedOf(r: Row): QrIssued['data'] {
  return {
    qr_session_id: r.id,
    club_event_id: r.club_event_id,
    nonce: r.nonce,
    key_id: r.key_id,
    issued_by: r.issued_by,
    issued_at: r.issued_at.toISOString(),
    expires_at: r.expires_at.toISOString(),
  }
}

/**
 * Unexpired, unrevoked QR sessions, newest first (at most 200), of one club
 * event or all. A session replaced by a rotation is listed until its grace ends.
 */
export async function activeQrSessions(
  db: Executor,
  now: Date,
  clubEventId?: string,
  limit = 200,
): Promise<QrIssued['data'][]> {
  let q = live(db, now).selectAll().orderBy('issued_at', 'desc').limit(limit)
  if (clubEventId) q = q.where('club_event_id', '=', clubEventId)
  return (await q.execute()).map(issuedOf)
}

/** How many codes mark right now, across every club event (the admin dashboard). */
export async function countLiveQrSessions(db: Executor, now: Date): Promise<number> {
  const row = await live(db, now)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * Codes that mark now: unrevoked, unexpired, past no rotation's grace, of a
 * club event still taking attendance (a cancelled or completed event's code
 * is refused at the scan, so it is not shown as live either).
 */
function live(db: Executor, now: Date) {
  return db
    .selectFrom('qr_sessions')
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', now)]))
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('club_events as e')
            .select('e.id')
            .whereRef('e.id', '=', 'qr_sessions.club_event_id')
            .where('e.lifecycle', 'in', ['cancelled', 'completed']),
        ),
      ),
    )
}

export async function getQrSession(db: Executor, id: string): Promise<QrIssued['data'] | undefined> {
  const row = await db.selectFrom('qr_sessions').selectAll().where('id', '=', id).executeTakeFirst()
  return row && issuedOf(row)
}
