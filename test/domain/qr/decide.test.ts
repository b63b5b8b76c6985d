import t from 'tap'
import { given } from '../../helpers/decider'
import { fold } from '../../../src/domain/decider'
import type { ClubEventState } from '../../../src/domain/club-events/state'
import { keyId, verifyQrPayload } from '../../../src/domain/qr/signing'
import { qrPayloadFor } from '../../../src/domain/qr/signing'
import { qrSessionDecider, type IssueQr, type QrSessionCommand } from '../../../src/domain/qr/decide'
import { qrSessionStream, type QrIssued, type QrRevoked } from '../../../src/domain/qr/events'
import { ADMIN, EID, NONCE, OTHER_ADMIN, SECRET, SID, activeEvent } from '../../helpers/qr-fixtures'

const NOW = new Date('2025-03-01T12:00:00.250Z')

const issue = (data: Partial<IssueQr['data']> = {}): IssueQr => ({
  type: 'IssueQr',
  data: {
    qr_session_id: SID,
    club_event_id: EID,
    nonce: NONCE,
    ttl_seconds: 60,
    key_id: keyId(SECRET),
    club_event: activeEvent(),
    ...data,
  },
  metadata: { actor_id: ADMIN, now: NOW },
})
const revoke = (actor = ADMIN, now = NOW): QrSessionCommand => ({
  type: 'RevokeQr',
  data: { qr_session_id: SID },
  metadata: { actor_id: actor, now },
})

const issued: QrIssued = {
  type: 'QrIssued',
  data: {
    qr_session_id: SID,
    club_event_id: EID,
    nonce: NONCE,
    issued_at: '2025-03-01T12:00:00.250Z',
    expires_at: '2025-03-01T12:01:00.250Z',
    key_id: keyId(SECRET),
    issued_by: ADMIN,
  },
}
const revoked: QrRevoked = {
  type: 'QrRevoked',
  data: { qr_session_id: SID, club_event_id: EID, revoked_by: ADMIN, revoked_at: NOW.toISOString() },
}
const refusedWith = (code: string) => ({ name: 'DomainError', code })

t.test('the stream of a QR session is named qr_session-<id>', async (t) => {
  t.equal(qrSessionStream(SID), `qr_session-${SID}`)
})

t.test('IssueQr', async (t) => {
  t.test('for an active club event records the session, expiring ttl_seconds from now', async (t) => {
    given(t, qrSessionDecider, []).when(issue()).then([issued])
  })
  t.test('for a club event that does not exist or was deleted is refused: not_found', async (t) => {
    given(t, qrSessionDecider, [])
      .when(issue({ club_event: { status: 'none' } }))
      .thenThrows('not_found')
    const gone: ClubEventState = {
      ...activeEvent(),
      status: 'deleted',
      deleted_by: ADMIN,
      deleted_at: NOW.toISOString(),
    }
    given(t, qrSessionDecider, [])
      .when(issue({ club_event: gone }))
      .thenThrows('not_found')
    t.throws(
      () =>
        given(t, qrSessionDecider, [])
          .when(issue({ club_event_id: SID }))
          .events(),
      refusedWith('not_found'),
      'the state of another club event',
    )
  })
  t.test('for a cancelled or completed club event is refused: event_cancelled, event_completed', async (t) => {
    given(t, qrSessionDecider, [])
      .when(issue({ club_event: { ...activeEvent(), lifecycle: 'cancelled' } }))
      .thenThrows('event_cancelled')
    given(t, qrSessionDecider, [])
      .when(issue({ club_event: { ...activeEvent(), lifecycle: 'completed' } }))
      .thenThrows('event_completed')
    given(t, qrSessionDecider, [])
      .when(issue({ club_event: { ...activeEvent(), lifecycle: 'active' } }))
      .then([issued], 'an active one takes attendance, as a scheduled one does')
  })
  t.test('bounds ttl_seconds to 5..3600 whole seconds: validation_error', async (t) => {
    for (const ttl of [4, 3601, 0, -60, 30.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      given(t, qrSessionDecider, [])
        .when(issue({ ttl_seconds: ttl }))
        .thenThrows('validation_error', String(ttl))
    }
    t.match(
      given(t, qrSessionDecider, [])
        .when(issue({ ttl_seconds: 5 }))
        .events(),
      [{ data: { expires_at: '2025-03-01T12:00:05.250Z' } }],
    )
    t.match(
      given(t, qrSessionDecider, [])
        .when(issue({ ttl_seconds: 3600 }))
        .events(),
      [{ data: { expires_at: '2025-03-01T13:00:00.250Z' } }],
    )
  })
  t.test('refuses a nonce under 16 bytes or a malformed key id: validation_error', async (t) => {
    t.throws(
      () =>
        given(t, qrSessionDecider, [])
          .when(issue({ nonce: Buffer.alloc(15).toString('base64url') }))
          .events(),
      refusedWith('validation_error'),
    )
    given(t, qrSessionDecider, [])
      .when(issue({ nonce: 'q3Zb8yL0cX1r9TfW2mKp4A+/' }))
      .thenThrows('validation_error')
    given(t, qrSessionDecider, [])
      .when(issue({ key_id: 'abc' }))
      .thenThrows('validation_error')
  })
  t.test('on a session id already used is refused: already_exists', async (t) => {
    given(t, qrSessionDecider, [issued]).when(issue()).thenThrows('already_exists')
    given(t, qrSessionDecider, [issued, revoked]).when(issue()).thenThrows('already_exists')
  })
})

t.test('RevokeQr', async (t) => {
  t.test('revokes an issued session, naming its club event', async (t) => {
    const later = new Date('2025-03-01T12:00:30.000Z')
    given(t, qrSessionDecider, [issued])
      .when(revoke(OTHER_ADMIN, later))
      .then([
        {
          type: 'QrRevoked',
          data: { qr_session_id: SID, club_event_id: EID, revoked_by: OTHER_ADMIN, revoked_at: later.toISOString() },
        },
      ])
  })
  t.test('twice records nothing the second time', async (t) => {
    given(t, qrSessionDecider, [issued, revoked]).when(revoke()).then([])
  })
  t.test('of a session never issued is refused: not_found', async (t) => {
    given(t, qrSessionDecider, []).when(revoke()).thenThrows('not_found')
  })
  t.test('is folded into the state', async (t) => {
    t.match(fold(qrSessionDecider, [issued, revoked]), { status: 'revoked', nonce: NONCE, revoked_by: ADMIN })
  })
})

t.test('qrPayloadFor builds a payload that verifies to the session', async (t) => {
  const payload = qrPayloadFor(issued.data, SECRET)
  t.same(verifyQrPayload(payload, { current: SECRET }, NOW), {
    ok: true,
    body: {
      sid: SID,
      eid: EID,
      n: NONCE,
      iat: Date.parse('2025-03-01T12:00:00Z') / 1000,
      exp: Date.parse('2025-03-01T12:01:00Z') / 1000,
      kid: keyId(SECRET),
    },
  })
  t.equal(qrPayloadFor(issued.data, SECRET), payload, 'deterministic: rebuilding gives the same string')
  t.match(verifyQrPayload(payload, { current: SECRET }, new Date('2025-03-01T12:01:00Z')), {
    ok: false,
    code: 'qr_expired',
  })
})

t.test('every payload of a freshly issued session verifies at once, whatever the milliseconds', async (t) => {
  for (const ms of [0, 1, 499, 500, 999]) {
    for (const ttl of [5, 60, 3600]) {
      const now = new Date(Date.parse('2025-03-01T12:00:00Z') + ms)
      const [e] = qrSessionDecider.decide(
        { ...issue({ ttl_seconds: ttl }), metadata: { actor_id: ADMIN, now } },
        { status: 'none' },
      )
      if (e?.type !== 'QrIssued') throw new Error('not issued')
      t.ok(verifyQrPayload(qrPayloadFor(e.data, SECRET), { current: SECRET }, now).ok, `ms=${ms} ttl=${ttl}`)
    }
  }
})
