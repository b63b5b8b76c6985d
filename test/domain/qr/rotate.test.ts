import t from 'tap'
import { given } from '../../helpers/decider'
import { fold } from '../../../src/domain/decider'
import type { ClubEventState } from '../../../src/domain/club-events/state'
import { keyId, qrPayloadFor, verifyQrPayload } from '../../../src/domain/qr/signing'
import { nextQrIssued, qrSessionDecider, type RotateQr } from '../../../src/domain/qr/decide'
import type { QrIssued, QrRevoked, QrRotated } from '../../../src/domain/qr/events'
import { inGrace, rotationOf } from '../../../src/domain/qr/state'
import { ADMIN, EID, NEXT, NEXT_NONCE, NONCE, OTHER_ADMIN, SECRET, SID, activeEvent } from '../../helpers/qr-fixtures'

/** RotateQr: the frontend's "refresh QR", decided on the replaced session's stream. */

const OTHER_NEXT = '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b'
const ISSUED_AT = '2025-03-01T12:00:00.250Z'
const NOW = new Date('2025-03-01T12:00:50.500Z')

const rotate = (data: Partial<RotateQr['data']> = {}, actor = OTHER_ADMIN, now = NOW): RotateQr => ({
  type: 'RotateQr',
  data: {
    qr_session_id: SID,
    next_qr_session_id: NEXT,
    next_nonce: NEXT_NONCE,
    key_id: keyId(SECRET),
    grace_seconds: 10,
    club_event: activeEvent(),
    ...data,
  },
  metadata: { actor_id: actor, now },
})

const issued: QrIssued = {
  type: 'QrIssued',
  data: {
    qr_session_id: SID,
    club_event_id: EID,
    nonce: NONCE,
    issued_at: ISSUED_AT,
    expires_at: '2025-03-01T12:01:00.250Z',
    key_id: keyId(SECRET),
    issued_by: ADMIN,
  },
}
const rotated: QrRotated = {
  type: 'QrRotated',
  data: {
    qr_session_id: SID,
    club_event_id: EID,
    next_qr_session_id: NEXT,
    next_nonce: NEXT_NONCE,
    ttl_seconds: 60,
    key_id: keyId(SECRET),
    rotated_by: OTHER_ADMIN,
    rotated_at: '2025-03-01T12:00:50.500Z',
    valid_until: '2025-03-01T12:01:00.500Z',
  },
}
const revoked: QrRevoked = {
  type: 'QrRevoked',
  data: { qr_session_id: SID, club_event_id: EID, revoked_by: ADMIN, revoked_at: '2025-03-01T12:00:30.000Z' },
}

t.test(
  'an issued session is rotated: the next session for the same club event, the old code valid for the grace',
  async (t) => {
    const after = given(t, qrSessionDecider, [issued]).when(rotate()).then([rotated])
    t.match(after, { status: 'rotated', nonce: NONCE, rotation: { next_qr_session_id: NEXT } }, 'folded')
    t.ok(inGrace(rotated.data, new Date('2025-03-01T12:01:00.499Z')), 'valid a moment before valid_until')
    t.notOk(inGrace(rotated.data, new Date('2025-03-01T12:01:00.500Z')), 'not at valid_until')
  },
)

t.test('the grace comes from the command; 0 ends the old code at once; out of 0..60 is refused', async (t) => {
  t.match(
    given(t, qrSessionDecider, [issued])
      .when(rotate({ grace_seconds: 0 }))
      .events(),
    [{ data: { valid_until: NOW.toISOString() } }],
  )
  t.match(
    given(t, qrSessionDecider, [issued])
      .when(rotate({ grace_seconds: 60 }))
      .events(),
    [{ data: { valid_until: '2025-03-01T12:01:50.500Z' } }],
  )
  for (const grace of [-1, 61, 2.5, Number.NaN])
    given(t, qrSessionDecider, [issued])
      .when(rotate({ grace_seconds: grace }))
      .thenThrows('validation_error', `grace ${grace}`)
})

t.test("the next session keeps the old one's lifetime, and its payload verifies", async (t) => {
  const long: QrIssued = { ...issued, data: { ...issued.data, expires_at: '2025-03-01T13:00:00.250Z' } }
  t.match(given(t, qrSessionDecider, [long]).when(rotate()).events(), [{ data: { ttl_seconds: 3600 } }])
  const next = nextQrIssued(rotated.data)
  t.same(next, {
    type: 'QrIssued',
    data: {
      qr_session_id: NEXT,
      club_event_id: EID,
      nonce: NEXT_NONCE,
      issued_at: '2025-03-01T12:00:50.500Z',
      expires_at: '2025-03-01T12:01:50.500Z',
      key_id: keyId(SECRET),
      issued_by: OTHER_ADMIN,
      rotated_from: SID,
    },
  })
  t.match(verifyQrPayload(qrPayloadFor(next.data, SECRET), { current: SECRET }, NOW), {
    ok: true,
    body: { sid: NEXT, eid: EID, n: NEXT_NONCE },
  })
  // the next session's own stream starts with it, and can be rotated in turn
  t.match(fold(qrSessionDecider, [next]), { status: 'issued', rotated_from: SID })
})

t.test('rotated again (a retry, or the loser of a race) decides nothing: the same next session stands', async (t) => {
  const state = given(t, qrSessionDecider, [issued, rotated])
    .when(rotate({ next_qr_session_id: OTHER_NEXT }))
    .then([])
  t.equal(rotationOf(state)?.next_qr_session_id, NEXT, 'the rotation stored first')
  // even once the club event is gone: the answer to a retry does not change
  given(t, qrSessionDecider, [issued, rotated])
    .when(rotate({ club_event: { status: 'none' } }))
    .then([])
})

t.test('a revoked session: the next one is issued, the revoked code stays revoked with no grace', async (t) => {
  const after = given(t, qrSessionDecider, [issued, revoked])
    .when(rotate())
    .then([{ ...rotated, data: { ...rotated.data, valid_until: NOW.toISOString() } }])
  t.match(after, { status: 'revoked', revoked_at: revoked.data.revoked_at, rotation: { next_qr_session_id: NEXT } })
  given(t, qrSessionDecider, [issued, revoked, rotated])
    .when(rotate({ next_qr_session_id: OTHER_NEXT }))
    .then([])
})

t.test('a rotated session revoked within its grace is revoked at once, and keeps its next session', async (t) => {
  const after = given(t, qrSessionDecider, [issued, rotated])
    .when({ type: 'RevokeQr', data: { qr_session_id: SID }, metadata: { actor_id: ADMIN, now: NOW } })
    .then([
      {
        type: 'QrRevoked',
        data: { qr_session_id: SID, club_event_id: EID, revoked_by: ADMIN, revoked_at: NOW.toISOString() },
      },
    ])
  t.match(after, { status: 'revoked', rotation: { next_qr_session_id: NEXT } })
})

t.test('an unknown session is refused as revoke refuses it: not_found', async (t) => {
  given(t, qrSessionDecider, []).when(rotate()).thenThrows('not_found')
})

t.test('a session of a deleted or missing club event is refused as issuing would be: not_found', async (t) => {
  const gone: ClubEventState = { ...activeEvent(), status: 'deleted', deleted_by: ADMIN, deleted_at: NOW.toISOString() }
  given(t, qrSessionDecider, [issued])
    .when(rotate({ club_event: gone }))
    .thenThrows('not_found')
  given(t, qrSessionDecider, [issued])
    .when(rotate({ club_event: { status: 'none' } }))
    .thenThrows('not_found')
  given(t, qrSessionDecider, [issued])
    .when(rotate({ club_event: { ...activeEvent(), club_event_id: OTHER_NEXT } }))
    .thenThrows('not_found', 'the state of another club event')
})

t.test("a malformed next nonce, key id or a next id equal to the session's: validation_error", async (t) => {
  given(t, qrSessionDecider, [issued])
    .when(rotate({ next_nonce: 'short' }))
    .thenThrows('validation_error')
  given(t, qrSessionDecider, [issued])
    .when(rotate({ key_id: 'abc' }))
    .thenThrows('validation_error')
  given(t, qrSessionDecider, [issued])
    .when(rotate({ next_qr_session_id: SID }))
    .thenThrows('validation_error')
})

t.test('a session of a cancelled or completed club event is not rotated: no new code for it', async (t) => {
  given(t, qrSessionDecider, [issued])
    .when(rotate({ club_event: { ...activeEvent(), lifecycle: 'cancelled' } }))
    .thenThrows('event_cancelled')
  given(t, qrSessionDecider, [issued])
    .when(rotate({ club_event: { ...activeEvent(), lifecycle: 'completed' } }))
    .thenThrows('event_completed')
  given(t, qrSessionDecider, [issued, rotated])
    .when(rotate({ club_event: { ...activeEvent(), lifecycle: 'completed' } }))
    .then([], 'one rotated already still answers with its next session')
})
