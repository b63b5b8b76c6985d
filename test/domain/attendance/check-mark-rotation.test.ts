import t from 'tap'
import { checkMark, type MarkInput } from '../../../src/domain/attendance/check-mark'
import { qrSessionDecider } from '../../../src/domain/qr/decide'
import type { QrIssued, QrRevoked, QrRotated } from '../../../src/domain/qr/events'
import { signQrPayload, verifyQrPayload } from '../../../src/domain/qr/signing'
import { fold } from '../../../src/domain/decider'
import { ADMIN, EID, NEXT, NONCE, SECRET, SID, activeEvent } from '../../helpers/qr-fixtures'

/** A code replaced by a rotation marks until valid_until, then is refused as revoked. */

const USER = 'b0b0b0b0-0000-4000-8000-000000000009'
const IAT = Date.parse('2025-03-01T12:00:00Z') / 1000
const ROTATED_AT = '2025-03-01T12:00:50.000Z'
const VALID_UNTIL = '2025-03-01T12:01:00.000Z'
const at = (iso: string) => new Date(iso)

const issued: QrIssued = {
  type: 'QrIssued',
  data: {
    qr_session_id: SID,
    club_event_id: EID,
    nonce: NONCE,
    issued_at: '2025-03-01T12:00:00.000Z',
    expires_at: '2025-03-01T12:01:05.000Z',
    key_id: 'ba7816bf8f01cfea',
    issued_by: ADMIN,
  },
}
const rotated = (valid_until = VALID_UNTIL): QrRotated => ({
  type: 'QrRotated',
  data: {
    qr_session_id: SID,
    club_event_id: EID,
    next_qr_session_id: NEXT,
    next_nonce: 'Zm9vYmFyYmF6cXV4cXV1eA',
    ttl_seconds: 65,
    key_id: 'ba7816bf8f01cfea',
    rotated_by: ADMIN,
    rotated_at: ROTATED_AT,
    valid_until,
  },
})
const revoked = (revoked_at: string): QrRevoked => ({
  type: 'QrRevoked',
  data: { qr_session_id: SID, club_event_id: EID, revoked_by: ADMIN, revoked_at },
})

/** A scan of the old code at `now`, against the session folded from `events`. */
const scan = (events: (QrIssued | QrRotated | QrRevoked)[], now: Date, over: Partial<MarkInput> = {}) =>
  checkMark({
    attendance_id: 'c0c0c0c0-0000-4000-8000-00000000000c',
    user_id: USER,
    qr: verifyQrPayload(
      signQrPayload({ sid: SID, eid: EID, n: NONCE, iat: IAT, exp: IAT + 65 }, SECRET),
      { current: SECRET },
      now,
    ),
    qr_session: fold(qrSessionDecider, events),
    club_event: activeEvent(),
    location: null,
    now,
    ...over,
  })

t.test('the old code is accepted within the grace, up to a moment before valid_until', async (t) => {
  t.match(scan([issued, rotated()], at('2025-03-01T12:00:50.000Z')), {
    ok: true,
    event: { data: { qr_session_id: SID } },
  })
  t.match(scan([issued, rotated()], at('2025-03-01T12:00:59.999Z')), { ok: true })
})

t.test('from valid_until on it is refused as qr_revoked, saying a newer code replaced it, and audited', async (t) => {
  for (const now of ['2025-03-01T12:01:00.000Z', '2025-03-01T12:01:04.000Z']) {
    const res = scan([issued, rotated()], at(now))
    t.match(
      res,
      {
        ok: false,
        code: 'qr_revoked',
        detail: /replaced by a newer/,
        rejection: { data: { reason: 'qr_revoked', qr_session_id: SID, club_event_id: EID } },
      },
      now,
    )
  }
  t.match(
    scan([issued, rotated('2025-03-01T12:00:50.000Z')], at(ROTATED_AT)),
    { ok: false, code: 'qr_revoked' },
    'a grace of 0 ends it at once',
  )
})

t.test('never past its own expiry: a grace reaching beyond it is still qr_expired', async (t) => {
  t.match(scan([issued, rotated('2025-03-01T12:01:30.000Z')], at('2025-03-01T12:01:05.000Z')), {
    ok: false,
    code: 'qr_expired',
  })
})

t.test('revoked within the grace: refused at once as revoked', async (t) => {
  const now = at('2025-03-01T12:00:52.000Z')
  t.match(scan([issued, rotated(), revoked('2025-03-01T12:00:51.000Z')], now), {
    ok: false,
    code: 'qr_revoked',
    detail: 'the QR code was revoked',
  })
  t.match(
    scan([issued, revoked('2025-03-01T12:00:40.000Z'), rotated(ROTATED_AT)], now),
    {
      ok: false,
      code: 'qr_revoked',
      detail: 'the QR code was revoked',
    },
    'a revoked session rotated afterwards stays revoked',
  )
})

t.test('a rotated session in its grace still goes through every other check', async (t) => {
  const now = at('2025-03-01T12:00:55.000Z')
  t.match(scan([issued, rotated()], now, { club_event: { status: 'none' } }), { ok: false, code: 'event_not_found' })
  const other = verifyQrPayload(
    signQrPayload({ sid: SID, eid: EID, n: 'AAAAAAAAAAAAAAAAAAAAAA', iat: IAT, exp: IAT + 65 }, SECRET),
    { current: SECRET },
    now,
  )
  t.match(scan([issued, rotated()], now, { qr: other }), { ok: false, code: 'qr_invalid' }, "a nonce not the session's")
})
