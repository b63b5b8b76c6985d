import type { Geofence } from '../club-events/events'
import { CLOSED_DETAIL, attendanceClosed } from '../club-events/lifecycle'
import type { ClubEventState } from '../club-events/state'
import { assertNever } from '../decider'
import type { QrBody } from '../qr/body'
import type { QrVerifyResult } from '../qr/signing'
import { type QrSessionState, inGrace } from '../qr/state'
import type { AttendanceMarked, AttendanceRejected, StudentLocation } from './events'
import { haversineMeters } from './geo'
import type { AttendanceRefusal } from './refusals'

/** Below this, a phone's accuracy never disqualifies it, however small the fence. */
const MIN_ACCEPTED_ACCURACY_M = 100

export interface MarkInput {
  attendance_id: string
  user_id: string
  /** verifyQrPayload's answer for the scanned string */
  qr: QrVerifyResult
  /** the state of qrSessionStream(qr.body.sid); { status: 'none' } when the payload did not verify */
  qr_session: QrSessionState
  /** the state of clubEventStream(qr.body.eid) */
  club_event: ClubEventState
  location: StudentLocation | null
  now: Date
}

export type MarkResult =
  | { ok: true; event: AttendanceMarked }
  | { ok: false; code: AttendanceRefusal; detail: string; rejection: AttendanceRejected }

type Refusal = [AttendanceRefusal, string]

/** The audit record of a mark refused here, before any append. */
function attendanceRejected(input: MarkInput, code: AttendanceRefusal, detail: string): AttendanceRejected {
  // only an authenticated body may name the session and event in the audit log
  const body = input.qr.body
  return {
    type: 'AttendanceRejected',
    data: {
      club_event_id: body?.eid ?? null,
      user_id: input.user_id,
      qr_session_id: body?.sid ?? null,
      reason: code,
      detail,
      rejected_at: input.now.toISOString(),
    },
  }
}

const isFiniteIn = (x: unknown, min: number, max: number) =>
  typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max

function locationProblem(loc: StudentLocation): Refusal | null {
  const ok =
    isFiniteIn(loc.lat, -90, 90) && isFiniteIn(loc.lng, -180, 180) && isFiniteIn(loc.accuracy_m, 0, Number.MAX_VALUE)
  return ok ? null : ['validation_error', 'location is not a position on Earth']
}

function geofenceProblem(fence: Geofence, loc: StudentLocation | null): Refusal | null {
  if (loc === null) return ['location_required', 'this club event checks where attendance is marked']
  const maxAccuracy = Math.max(MIN_ACCEPTED_ACCURACY_M, fence.radius_m)
  if (loc.accuracy_m > maxAccuracy)
    return ['location_inaccurate', `accuracy ${Math.round(loc.accuracy_m)} m is worse than ${maxAccuracy} m`]
  // The phone is somewhere in its accuracy circle, so a fix just outside the
  // fence may be a student just inside it: the circle's overlap counts. But at
  // most half the radius of it, so a wildly inaccurate fix cannot claim presence.
  const allowed = fence.radius_m + Math.min(loc.accuracy_m, fence.radius_m / 2)
  const distance = haversineMeters(fence, loc)
  if (distance > allowed)
    return ['outside_geofence', `${Math.round(distance)} m from the venue; ${Math.round(allowed)} m allowed`]
  return null
}

function refusal(body: QrBody, input: MarkInput): Refusal | null {
  const { qr_session: session, club_event: event } = input
  switch (session.status) {
    case 'none':
      return ['qr_invalid', 'unknown QR session']
    case 'revoked':
      return ['qr_revoked', 'the QR code was revoked']
    case 'rotated':
      // a scan made just before the screen changed still counts; after the grace the code is as good as revoked
      if (!inGrace(session.rotation, input.now)) return ['qr_revoked', 'the QR code was replaced by a newer one']
      break
    case 'issued':
      break
    default:
      return assertNever(session)
  }
  if (session.qr_session_id !== body.sid) return ['qr_invalid', 'unknown QR session']
  if (session.club_event_id !== body.eid) return ['qr_invalid', 'the QR session belongs to another club event']
  // Only our key signs payloads, so this holds unless the key leaked; then it
  // still ties a payload to the one session it was issued as.
  if (session.nonce !== body.n) return ['qr_invalid', 'the nonce does not match the QR session']
  if (event.status !== 'active' || event.club_event_id !== body.eid)
    return ['event_not_found', 'the club event does not exist']
  const closed = attendanceClosed(event.lifecycle)
  if (closed) return [closed, CLOSED_DETAIL[closed]]
  if (input.location !== null) {
    const bad = locationProblem(input.location)
    if (bad) return bad
  }
  return event.geofence ? geofenceProblem(event.geofence, input.location) : null
}

function refuse(input: MarkInput, [code, detail]: Refusal): MarkResult {
  return { ok: false, code, detail, rejection: attendanceRejected(input, code, detail) }
}

/**
 * The audit record of a mark the store refused: its `no_stream` append found
 * the member's attendance stream for this club event already there.
 */
export function alreadyMarked(marked: AttendanceMarked, now: Date): AttendanceRejected {
  const d = marked.data
  return {
    type: 'AttendanceRejected',
    data: {
      club_event_id: d.club_event_id,
      user_id: d.user_id,
      qr_session_id: d.qr_session_id,
      reason: 'already_marked',
      detail: ALREADY_MARKED,
      rejected_at: now.toISOString(),
    },
  }
}

export const ALREADY_MARKED = 'attendance for this club event is already marked'

/**
 * Decides a scan after the payload was verified. The one-per-student rule is
 * not here: it is the store's no_stream append on attendanceStream.
 */
export function checkMark(input: MarkInput): MarkResult {
  const qr = input.qr
  if (!qr.ok) return refuse(input, [qr.code, qr.reason])
  const refused = refusal(qr.body, input)
  if (refused) return refuse(input, refused)
  const body = qr.body
  const loc = input.location
  return {
    ok: true,
    event: {
      type: 'AttendanceMarked',
      data: {
        attendance_id: input.attendance_id,
        club_event_id: body.eid,
        user_id: input.user_id,
        qr_session_id: body.sid,
        nonce: body.n,
        marked_at: input.now.toISOString(),
        // copied field by field, so nothing else a client sent is stored
        location: loc === null ? null : { lat: loc.lat, lng: loc.lng, accuracy_m: loc.accuracy_m },
      },
    },
  }
}
