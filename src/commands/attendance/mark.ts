import { ALREADY_MARKED, alreadyMarked, checkMark } from '../../domain/attendance/check-mark'
import { type StudentLocation, attendanceStream, rejectionStream } from '../../domain/attendance/events'
import type { ClubEventState } from '../../domain/club-events/state'
import { DomainError } from '../../domain/decider'
import { type QrKeys, verifyQrPayload } from '../../domain/qr/signing'
import type { QrSessionState } from '../../domain/qr/state'
import { WrongExpectedVersion } from '../../store/event-store'
import { type CommandContext, type Sources, metadataOf } from '../context'
import { type GuardedAppender, record } from '../handle'

/** What a mark reads and knows. No store: a mark writes only through the guarded appender it is handed. */
export interface MarkDeps {
  sources: Sources
  /** QR sessions and club events from their streams, cached per process (hot-cache.ts) */
  cache: { qrSession(id: string): Promise<QrSessionState>; clubEvent(id: string): Promise<ClubEventState> }
  qrKeys: QrKeys
}

export interface MarkInput {
  qr_payload: string
  location?: StudentLocation | null
}

/**
 * The hot path: verify the signature and clock (pure), look up the QR session
 * and club event (cached, invalidated through the feed), then ONE append with
 * `no_stream` to the member's stream for this club event: the store itself
 * refuses a second mark. Every refusal is recorded for the audit log. Every
 * append goes through `writer`, guarded by the caller's user stream at the
 * revision their role was read at, so the role is checked in the same
 * statement as the write.
 */
export async function markAttendance(
  deps: MarkDeps,
  writer: GuardedAppender,
  input: MarkInput,
  userId: string,
  ctx: CommandContext,
) {
  const now = deps.sources.now()
  const logs = { store: writer, sources: deps.sources }
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
    await record(logs, rejectionStream(userId), result.rejection, ctx)
    throw new DomainError(result.code, result.detail)
  }
  const marked = result.event
  const d = marked.data
  try {
    await writer.append(
      attendanceStream(d.club_event_id, userId),
      [{ id: d.attendance_id, type: marked.type, data: d, metadata: metadataOf(ctx) }],
      { expectedRevision: 'no_stream' },
    )
  } catch (err) {
    if (!(err instanceof WrongExpectedVersion)) throw err
    await record(logs, rejectionStream(userId), alreadyMarked(marked, now), ctx)
    throw new DomainError('already_marked', ALREADY_MARKED)
  }
  // checkMark accepted it, so the club event is active; the answer names it (the club's scan screen shows it)
  const event = clubEvent.status === 'active' ? clubEvent : undefined
  return {
    id: d.attendance_id,
    event_id: d.club_event_id,
    user_id: d.user_id,
    qr_session_id: d.qr_session_id,
    marked_at: d.marked_at,
    event_title: event?.title ?? '',
    event_starts_at: event?.starts_at ?? d.marked_at,
  }
}
