import t from 'tap'
import type { ClubEventState } from '../../../src/domain/club-events/state'
import type { Geofence } from '../../../src/domain/club-events/events'
import { signQrPayload, verifyQrPayload, type QrVerifyResult } from '../../../src/domain/qr/signing'
import type { QrSessionState } from '../../../src/domain/qr/state'
import { attendanceStream, type StudentLocation } from '../../../src/domain/attendance/events'
import { checkMark, type MarkInput } from '../../../src/domain/attendance/check-mark'
import { EARTH_RADIUS_M } from '../../../src/domain/attendance/geo'
import { ADMIN, EID, NONCE, SECRET, SID, activeEvent } from '../../helpers/qr-fixtures'

const OTHER = '11111111-2222-4333-8444-555555555555'
const USER = 'b0b0b0b0-0000-4000-8000-000000000009'
const ATT = 'c0c0c0c0-0000-4000-8000-00000000000c'
const NOW = new Date('2025-03-01T12:00:10.000Z')
const IAT = Date.parse('2025-03-01T12:00:00Z') / 1000
const FENCE: Geofence = { lat: 52.52, lng: 13.405, radius_m: 150 }

const verified = (body: Partial<{ sid: string; eid: string; n: string; exp: number }> = {}): QrVerifyResult =>
  verifyQrPayload(
    signQrPayload({ sid: SID, eid: EID, n: NONCE, iat: IAT, exp: IAT + 60, ...body }, SECRET),
    { current: SECRET },
    NOW,
  )

const session: QrSessionState = {
  status: 'issued',
  qr_session_id: SID,
  club_event_id: EID,
  nonce: NONCE,
  issued_at: '2025-03-01T12:00:00.000Z',
  expires_at: '2025-03-01T12:01:00.000Z',
  key_id: 'ba7816bf8f01cfea',
  issued_by: ADMIN,
}
const revokedSession: QrSessionState = {
  ...session,
  status: 'revoked',
  revoked_by: ADMIN,
  revoked_at: NOW.toISOString(),
}
const deletedEvent: ClubEventState = {
  ...(activeEvent() as Extract<ClubEventState, { status: 'active' }>),
  status: 'deleted',
  deleted_by: ADMIN,
  deleted_at: NOW.toISOString(),
}

const mark = (over: Partial<MarkInput> = {}) =>
  checkMark({
    attendance_id: ATT,
    user_id: USER,
    qr: verified(),
    qr_session: session,
    club_event: activeEvent(),
    location: null,
    now: NOW,
    ...over,
  })

/** A fix `m` metres due north of the fence's centre. */
const north = (m: number, accuracy_m: number): StudentLocation => ({
  lat: FENCE.lat + (m / (Math.PI * EARTH_RADIUS_M)) * 180,
  lng: FENCE.lng,
  accuracy_m,
})
const fenced = (location: StudentLocation | null, fence: Geofence = FENCE) =>
  mark({ club_event: activeEvent(fence), location })

t.test('the attendance stream is one per club event and student', async (t) => {
  t.equal(attendanceStream(EID, USER), `attendance-${EID}-${USER}`)
})

t.test('a valid scan of an event without a geofence is marked', async (t) => {
  t.same(mark(), {
    ok: true,
    event: {
      type: 'AttendanceMarked',
      data: {
        attendance_id: ATT,
        club_event_id: EID,
        user_id: USER,
        qr_session_id: SID,
        nonce: NONCE,
        marked_at: NOW.toISOString(),
        location: null,
      },
    },
  })
  const loc = { lat: 1, lng: 2, accuracy_m: 3, extra: 'dropped' } as StudentLocation
  t.match(
    mark({ location: loc }),
    { ok: true, event: { data: { location: { lat: 1, lng: 2, accuracy_m: 3 } } } },
    'a location is recorded when given',
  )
  t.notOk(
    'extra' in (mark({ location: loc }) as { event: { data: { location: object } } }).event.data.location,
    'only its known fields',
  )
})

t.test('a payload that did not verify is refused with its own code, and audited without ids', async (t) => {
  const bad = verifyQrPayload('garbage', { current: SECRET }, NOW)
  t.match(mark({ qr: bad, qr_session: { status: 'none' } }), {
    ok: false,
    code: 'qr_invalid',
    rejection: {
      type: 'AttendanceRejected',
      data: {
        club_event_id: null,
        qr_session_id: null,
        user_id: USER,
        reason: 'qr_invalid',
        rejected_at: NOW.toISOString(),
      },
    },
  })
  const expired = verified({ exp: IAT + 5 })
  t.match(
    mark({ qr: expired }),
    {
      ok: false,
      code: 'qr_expired',
      rejection: { data: { club_event_id: EID, qr_session_id: SID, reason: 'qr_expired' } },
    },
    'an authentic expired payload names its session',
  )
})

t.test('the checks after the signature, in order', async (t) => {
  t.match(mark({ qr_session: { status: 'none' } }), { ok: false, code: 'qr_invalid' }, 'an unknown QR session')
  t.match(
    mark({ qr_session: revokedSession, club_event: deletedEvent }),
    { ok: false, code: 'qr_revoked' },
    'revoked, before the club event is looked at',
  )
  t.match(mark({ qr: verified({ sid: OTHER }) }), { ok: false, code: 'qr_invalid' }, 'the state of another session')
  t.match(
    mark({ qr: verified({ eid: OTHER }), club_event: deletedEvent }),
    { ok: false, code: 'qr_invalid' },
    'a payload naming another club event than its session',
  )
  t.match(
    mark({ qr: verified({ n: 'AAAAAAAAAAAAAAAAAAAAAA' }) }),
    { ok: false, code: 'qr_invalid' },
    "a nonce other than the session's",
  )
  t.match(
    mark({ club_event: { status: 'none' } }),
    { ok: false, code: 'event_not_found' },
    'a club event that does not exist',
  )
  t.match(
    mark({ club_event: deletedEvent, location: null }),
    { ok: false, code: 'event_not_found' },
    'a deleted club event',
  )
  t.match(
    mark({ club_event: { ...activeEvent(FENCE), club_event_id: OTHER } as ClubEventState }),
    { ok: false, code: 'event_not_found' },
    'the state of another club event',
  )
})

t.test('a cancelled or completed club event takes no marks; a scheduled or active one does', async (t) => {
  const at = (lifecycle: 'scheduled' | 'active' | 'completed' | 'cancelled') =>
    mark({ club_event: { ...activeEvent(FENCE), lifecycle } })
  t.match(at('cancelled'), {
    ok: false,
    code: 'event_cancelled',
    rejection: { type: 'AttendanceRejected', data: { reason: 'event_cancelled', club_event_id: EID } },
  })
  t.match(at('completed'), { ok: false, code: 'event_completed', detail: /closed/ })
  t.match(at('active'), { ok: false, code: 'location_required' }, 'past the status, on to the geofence')
  t.match(mark({ club_event: { ...activeEvent(), lifecycle: 'active' } }), { ok: true })
  t.match(
    mark({ qr_session: revokedSession, club_event: { ...activeEvent(), lifecycle: 'cancelled' } }),
    { ok: false, code: 'qr_revoked' },
    'the code is judged first',
  )
})

t.test('a location that is not a position on Earth is refused: validation_error', async (t) => {
  for (const loc of [
    { lat: 91, lng: 0, accuracy_m: 5 },
    { lat: 0, lng: -181, accuracy_m: 5 },
    { lat: 0, lng: 0, accuracy_m: -1 },
    { lat: Number.NaN, lng: 0, accuracy_m: 5 },
    { lat: 0, lng: 0, accuracy_m: Number.POSITIVE_INFINITY },
    { lat: '1', lng: 0, accuracy_m: 5 } as never,
  ]) {
    t.match(mark({ location: loc }), { ok: false, code: 'validation_error' }, JSON.stringify(loc))
  }
})

t.test('a club event with a geofence', async (t) => {
  t.match(fenced(null), { ok: false, code: 'location_required' }, 'needs a location')
  t.match(
    fenced(north(0, 101), { ...FENCE, radius_m: 50 }),
    { ok: false, code: 'location_inaccurate' },
    'accuracy worse than 100 m on a small fence',
  )
  t.match(
    fenced(north(0, 100), { ...FENCE, radius_m: 50 }),
    { ok: true },
    'accuracy of 100 m is accepted however small the fence',
  )
  t.match(
    fenced(north(0, 500), { ...FENCE, radius_m: 500 }),
    { ok: true },
    'a large fence accepts accuracy up to its radius',
  )
  t.match(fenced(north(0, 501), { ...FENCE, radius_m: 500 }), { ok: false, code: 'location_inaccurate' })
  t.match(fenced(north(149, 5)), { ok: true }, 'inside')
  t.match(fenced(north(156, 5)), { ok: false, code: 'outside_geofence' }, 'outside, beyond the accuracy circle')
  t.match(fenced(north(154, 5)), { ok: true }, 'just outside, but within the accuracy circle')
  t.match(fenced(north(224, 100)), { ok: true }, 'a poor fix gets at most half the radius: 150 + 75')
  t.match(fenced(north(226, 100)), { ok: false, code: 'outside_geofence', detail: String }, 'and no more')
  t.match(fenced(north(1499, 1000), { ...FENCE, radius_m: 1000 }), { ok: true })
  t.match(fenced(north(1501, 1000), { ...FENCE, radius_m: 1000 }), { ok: false, code: 'outside_geofence' })
})
