import { type AttendanceMarked, attendanceStream, checkMark, type StudentLocation } from '../../domain/attendance'
import { DomainError } from '../../domain/decider'
import { verifyQrPayload } from '../../domain/qr'
import { type StreamGuard, WrongExpectedVersion } from '../../store/event-store'
import type { CommandContext } from '../context'
import { metadataOf } from '../context'
import { record } from '../handle'
import type { AttendanceDeps } from './deps'

export const rejectionStream = (userId: string) => `attendance_rejections-${userId}`

/**
 * The hot path: verify the signature and clock (pure), look up the QR session
 * and club event (cached, invalidated through the feed), then ONE append with
 * `no_stream` to the member's stream for this club event: the store itself
 * refuses a second mark. Every refusal is recorded for the audit log. Every
 * append carries `guard` (the caller's user stream where their role was read),
 * so the caller's role is checked in the same statement as the write.
 */
export async function markAttendance(
  deps: AttendanceDeps,
  input: { qr_payload: string; location?: StudentLocation | null },
  userId: string,
  ctx: CommandContext,
  guard?: StreamGuard,
) {
  const now = deps.sources.now()
  const qr = verifyQrPayload(input.qr_payload, deps.qrKeys, now)
  const [qrSession, clubEvent] = qr.ok
    ? await Promise.all([deps.cache.qrSession(qr.body.sid), deps.cache.clubEvent(qr.body.eid)])
    : [{ status: 'none' as const }, { status: 'none' as const }]
  const result = checkMark({
    attendance_id: deps.sources.uuid(),
    user_id: userId,
    qr,
    qr_session: qrSession,
    club_event: clubEvent,
    location: input.location ?? null,
    now,
  })
  if (!result.ok) {
    await record(deps, rejectionStream(userId), result.rejection, ctx, guard)
    throw new DomainError(result.code, result.detail)
  }
  const marked: AttendanceMarked = result.event
  try {
    await deps.store.append(
      attendanceStream(marked.data.club_event_id, userId),
      [{ id: marked.data.attendance_id, type: marked.type, data: marked.data, metadata: metadataOf(ctx) }],
      { expectedRevision: 'no_stream', guard },
    )
  } catch (err) {
    if (!(err instanceof WrongExpectedVersion)) throw err
    const detail = 'attendance for this club event is already marked'
    await record(
      deps,
      rejectionStream(userId),
      {
        type: 'AttendanceRejected',
        data: {
          club_event_id: marked.data.club_event_id,
          user_id: userId,
          qr_session_id: marked.data.qr_session_id,
          reason: 'already_marked',
          detail,
          rejected_at: now.toISOString(),
        },
      },
      ctx,
      guard,
    )
    throw new DomainError('already_marked', detail)
  }
  const d = marked.data
  return {
    id: d.attendance_id,
    event_id: d.club_event_id,
    user_id: d.user_id,
    qr_session_id: d.qr_session_id,
    marked_at: d.marked_at,
  }
}
