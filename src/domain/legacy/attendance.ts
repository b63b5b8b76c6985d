import { chronologically } from './values'
import { createHash } from 'node:crypto'
import { attendanceStream } from '../attendance/events'
import { qrSessionStream } from '../qr/events'
import { entityId } from './ids'
import type { PlanContext } from './plan-types'
import type { LegacyAttendance, LegacyQrSession } from './snapshot'
import type { ImportedClubEvent } from './club-events'
import type { UserMap } from './users'

interface ImportedSession {
  id: string
  club_event_id: string
  nonce: string
}

/** The key id of codes the portal signed: with a key we never held, so none of them verifies here. */
const LEGACY_KEY_ID = 'legacy'

/**
 * A nonce for a session the portal ran: derived, never its token or nonce
 * (both were secrets of a code that could still be on a screenshot).
 */
function nonceOf(source: string, s: LegacyQrSession): string {
  return createHash('sha256').update(`legacy-nonce\u0000${source}\u0000${s.table}\u0000${s.id}`).digest('base64url')
}

const latest = (a: string, b: string) => (a > b ? a : b)

/**
 * The portal's QR sessions (v2) or attendance sessions (v1), as QR sessions
 * that are over: one still open in the source ends at its last mark, or a
 * second after it began, and never later than now.
 */
function planSessions(
  ctx: PlanContext,
  sessions: LegacyQrSession[],
  events: Map<string, ImportedClubEvent>,
  users: UserMap,
  marks: LegacyAttendance[],
): Map<string, ImportedSession> {
  const out = new Map<string, ImportedSession>()
  const lastMark = new Map<string, string>()
  for (const m of marks)
    if (m.session_id && m.marked_at) lastMark.set(m.session_id, latest(lastMark.get(m.session_id) ?? '', m.marked_at))
  const now = ctx.opts.now.toISOString()
  for (const s of sessions) {
    const event = s.event_id ? events.get(s.event_id) : undefined
    if (!event) {
      ctx.report.skip(s.table, s.id, 'orphan', 'its club event does not exist in the source')
      continue
    }
    const issuedAt = s.issued_at ?? lastMark.get(s.id) ?? now
    const afterStart = new Date(Date.parse(issuedAt) + 1000).toISOString()
    let expiresAt = s.ends_at ?? lastMark.get(s.id) ?? afterStart
    if (expiresAt <= issuedAt) expiresAt = afterStart
    if (expiresAt > now) expiresAt = latest(now, afterStart)
    const id = entityId(ctx.opts.source, s.table, s.id)
    const issuer = (s.created_by && users.imported.get(s.created_by)?.id) || event.creator
    const nonce = nonceOf(ctx.opts.source, s)
    const ev = (step: string, at: string, e: { type: string; data: object }) =>
      ctx.event(s.table, s.id, step, at, e, { actor_id: issuer })
    const stream = [
      ev('issued', issuedAt, {
        type: 'QrIssued',
        data: {
          qr_session_id: id,
          club_event_id: event.id,
          nonce,
          issued_at: issuedAt,
          expires_at: expiresAt,
          key_id: LEGACY_KEY_ID,
          issued_by: issuer,
        },
      }),
    ]
    if (s.revoked) {
      const at = s.revoked_at && s.revoked_at < expiresAt ? latest(s.revoked_at, issuedAt) : expiresAt
      stream.push(
        ev('revoked', at, {
          type: 'QrRevoked',
          data: { qr_session_id: id, club_event_id: event.id, revoked_by: issuer, revoked_at: at },
        }),
      )
    }
    ctx.append({
      phase: 'qr_sessions',
      stream: qrSessionStream(id),
      expected: 'no_stream',
      table: s.table,
      legacy_id: s.id,
      events: stream,
    })
    out.set(s.id, { id, club_event_id: event.id, nonce })
    ctx.report.imported(s.table)
    ctx.expect(s.table, 'qr_sessions', id)
  }
  return out
}

/**
 * Each present mark, as the mark it was: one per member and club event (the
 * store's `no_stream` append is that invariant here too), so a second
 * present record of v1 for the same event is skipped. v1's absent records
 * are no mark: absence is the lack of one.
 */
export function planAttendance(
  ctx: PlanContext,
  sessions: LegacyQrSession[],
  marks: LegacyAttendance[],
  events: Map<string, ImportedClubEvent>,
  users: UserMap,
): void {
  const imported = planSessions(ctx, sessions, events, users, marks)
  const seen = new Set<string>()
  const ordered = [...marks].sort(chronologically((m) => m.marked_at))
  for (const m of ordered) {
    const skip = (reason: string, detail: string) => ctx.report.skip('attendance_records', m.id, reason, detail)
    if (m.status !== 'present') {
      skip('absent', `status ${m.status}: absence is the lack of a mark here`)
      continue
    }
    if (m.user_id && users.skipped.has(m.user_id)) {
      skip('user_skipped', 'its user was not imported')
      continue
    }
    const user = m.user_id ? users.imported.get(m.user_id) : undefined
    const session = m.session_id ? imported.get(m.session_id) : undefined
    const eventId = m.event_id ? events.get(m.event_id)?.id : session?.club_event_id
    if (!user || !session || !eventId || !m.marked_at) {
      skip(
        'orphan',
        !user
          ? 'its user does not exist in the source'
          : !m.marked_at
            ? 'it has no readable time'
            : 'its club event or session does not exist in the source',
      )
      continue
    }
    const key = `${eventId}|${user.id}`
    if (seen.has(key)) {
      skip('duplicate_mark', 'the member was already marked at this club event')
      continue
    }
    seen.add(key)
    const id = entityId(ctx.opts.source, 'attendance_records', m.id)
    ctx.append({
      phase: 'attendance',
      stream: attendanceStream(eventId, user.id),
      expected: 'no_stream',
      table: 'attendance_records',
      legacy_id: m.id,
      events: [
        ctx.event(
          'attendance_records',
          m.id,
          'marked',
          m.marked_at,
          {
            type: 'AttendanceMarked',
            data: {
              attendance_id: id,
              club_event_id: eventId,
              user_id: user.id,
              qr_session_id: session.id,
              nonce: session.nonce,
              marked_at: m.marked_at,
              location: null,
            },
          },
          { actor_id: user.id, ip: m.ip, user_agent: m.user_agent },
        ),
      ],
    })
    ctx.report.imported('attendance_records')
    ctx.expect('attendance_records', 'attendance_records', id)
  }
}
