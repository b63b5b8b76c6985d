import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { rejectionStream } from '../../../src/domain/attendance/events'
import { loadConfig } from '../../../src/config'
import { attendanceStream } from '../../../src/domain/attendance/events'
import { keyId, signQrPayload } from '../../../src/domain/qr/signing'
import { QR_TTL_SECONDS } from '../../../src/domain/qr/decide'
import type { Runtime } from '../../../src/runtime'
import type { StoredEvent } from '../../../src/store/event-store'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, login, member, projected, signup } from '../../helpers/identity'
import { TEST_SECRETS, testApp } from '../../helpers/runtime'
import { bodyOf, CLIENT, createEvent, holdFeed, issueQr, mark } from '../../helpers/attendance'

/**
 * POST /api/attendance/mark over HTTP: every anti-cheat rule, each refusal
 * with its status and code, and each refusal recorded as AttendanceRejected
 * with who asked and from where. The app's clock can be moved forward.
 */

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const OTHER_SECRET = randomBytes(32).toString('hex')
// limits high enough for hundreds of scans by one student; the limiter itself stays on
const ENV = { RATE_LIMIT_MARK_PER_USER: '100000', RATE_LIMIT_SIGNUP_PER_IP: '1000', RATE_LIMIT_LOGIN_PER_IP: '1000' }

/** Signs anything with any key, bypassing signQrPayload's checks: what an attacker could build. */
function forge(body: unknown, macKey: string): string {
  const signed = `v1.${Buffer.from(JSON.stringify(body)).toString('base64url')}`
  return `${signed}.${createHmac('sha256', macKey).update(signed).digest('base64url')}`
}

/** One character replaced by another base64url character: `far` changes its high bit, else its low bit. */
function flip(payload: string, i: number, far: boolean): string {
  const c = payload[i]!
  const idx = B64URL.indexOf(c)
  const replacement = idx < 0 ? (far ? '_' : 'A') : B64URL[idx ^ (far ? 32 : 1)]!
  return payload.slice(0, i) + replacement + payload.slice(i + 1)
}

async function rejections(runtime: Runtime, userId: string): Promise<StoredEvent[]> {
  return runtime.store.readStream(rejectionStream(userId))
}

/** The student's last rejection has this reason, names them, and carries the caller's address and user agent. */
async function rejectedAs(
  t: Test,
  runtime: Runtime,
  userId: string,
  reason: string,
  ids: { event?: string | null; session?: string | null } = {},
) {
  const events = await rejections(runtime, userId)
  const last = events[events.length - 1]
  t.ok(last, `an AttendanceRejected (${reason}) was recorded`)
  if (!last) return
  t.equal(last.type, 'AttendanceRejected')
  const data = last.data as {
    reason: string
    user_id: string
    club_event_id: string | null
    qr_session_id: string | null
  }
  t.equal(data.reason, reason, `recorded with reason ${reason}`)
  t.equal(data.user_id, userId)
  if (ids.event !== undefined) t.equal(data.club_event_id, ids.event, 'names the club event')
  if (ids.session !== undefined) t.equal(data.qr_session_id, ids.session, 'names the QR session')
  t.match(
    last.metadata,
    { actor_id: userId, actor_role: 'student', ip: CLIENT.ip, user_agent: CLIENT.userAgent },
    "the caller's ip and user agent",
  )
}

t.test('marking attendance', async (t) => {
  let offsetMs = 0
  const { app, runtime } = await testApp(t, {
    env: ENV,
    sources: { now: () => new Date(Date.now() + offsetMs), uuid: randomUUID },
  })
  const nowSeconds = () => Math.floor((Date.now() + offsetMs) / 1000)
  const admin = await adminSession(app, runtime)
  const asAdmin = bearer(admin.access_token)
  const student = () => member(app, runtime, admin)

  t.test('a good scan marks once; the same student again is already_marked', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const ada = await student()

    const before = Date.now()
    const res = await mark(app, ada, qr.payload)
    t.equal(res.statusCode, 200)
    const attendance = res.json().attendance
    t.same(Object.keys(attendance).sort(), ['event_id', 'id', 'marked_at', 'qr_session_id', 'user_id'])
    t.match(attendance.id, /^[0-9a-f-]{36}$/)
    t.equal(attendance.event_id, event.id)
    t.equal(attendance.user_id, ada.user.id)
    t.equal(attendance.qr_session_id, qr.id)
    t.ok(
      Date.parse(attendance.marked_at) >= before - 1000 && Date.parse(attendance.marked_at) <= Date.now() + 1000,
      'marked_at is now',
    )

    const stream = await runtime.store.readStream(attendanceStream(event.id, ada.user.id))
    t.same(
      stream.map((e) => e.type),
      ['AttendanceMarked'],
    )
    t.match(stream[0]!.data, {
      attendance_id: attendance.id,
      club_event_id: event.id,
      user_id: ada.user.id,
      qr_session_id: qr.id,
      nonce: bodyOf(qr.payload).n,
      location: null,
    })
    t.match(stream[0]!.metadata, { actor_id: ada.user.id, ip: CLIENT.ip, user_agent: CLIENT.userAgent })

    const again = await mark(app, ada, qr.payload)
    t.equal(again.statusCode, 409)
    t.equal(again.json().code, 'already_marked')
    await rejectedAs(t, runtime, ada.user.id, 'already_marked', { event: event.id, session: qr.id })

    const otherQr = await issueQr(app, admin, event.id)
    const viaOther = await mark(app, ada, otherQr.payload)
    t.equal(viaOther.statusCode, 409, 'another QR code of the same club event does not mark twice')
    t.equal(viaOther.json().code, 'already_marked')
    t.equal(
      (await runtime.store.readStream(attendanceStream(event.id, ada.user.id))).length,
      1,
      'still one AttendanceMarked',
    )
  })

  t.test('members and admins mark (as in the club portal), an anonymous caller gets 401', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const asAdminRes = await mark(app, admin, qr.payload)
    t.equal(asAdminRes.statusCode, 200)
    t.match(asAdminRes.json(), { message: String, event: { id: event.id, title: event.title }, attendance_record: {} })
    const anon = await app.inject({ method: 'POST', url: '/api/attendance/mark', payload: { qr_payload: qr.payload } })
    t.equal(anon.statusCode, 401)
    t.equal(anon.json().code, 'unauthorized')
  })

  t.test('tampering: every single changed character of a real payload is qr_invalid', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const ada = await student()
    t.equal((await mark(app, ada, qr.payload)).statusCode, 200)
    const before = (await rejections(runtime, ada.user.id)).length

    t.match(qr.payload, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
    const tampered = [false, true].flatMap((far) => [...qr.payload].map((_, i) => flip(qr.payload, i, far)))
    t.ok(
      tampered.every((p) => p !== qr.payload && p.length === qr.payload.length),
      'each differs in exactly one character',
    )
    const wrong: string[] = []
    for (let i = 0; i < tampered.length; i += 16) {
      await Promise.all(
        tampered.slice(i, i + 16).map(async (p) => {
          const res = await mark(app, ada, p)
          if (res.statusCode !== 400 || res.json().code !== 'qr_invalid')
            wrong.push(`${p} → ${res.statusCode} ${res.json().code}`)
        }),
      )
    }
    t.same(
      wrong,
      [],
      `all ${tampered.length} tampered payloads (${qr.payload.length} positions, two flips each) are 400 qr_invalid`,
    )

    const recorded = (await rejections(runtime, ada.user.id)).slice(before)
    t.equal(recorded.length, tampered.length, 'each refusal is recorded')
    t.ok(
      recorded.every((e) => (e.data as { reason: string }).reason === 'qr_invalid'),
      'all as qr_invalid',
    )
    t.ok(
      recorded.every((e) => e.metadata.ip === CLIENT.ip && e.metadata.user_agent === CLIENT.userAgent),
      "all with the caller's ip and user agent",
    )
    const untouched = await mark(app, ada, qr.payload)
    t.equal(untouched.statusCode, 409, 'the untouched payload is still well-formed (already marked, not invalid)')
  })

  t.test('forged and malformed payloads are 400, never 500', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const body = bodyOf(qr.payload)
    const { kid: _kid, ...unsigned } = body
    const ada = await student()
    const [head, bodyPart, sig] = qr.payload.split('.') as [string, string, string]
    const cases: [string, string, string][] = [
      ['signed with another key', signQrPayload(unsigned, OTHER_SECRET), 'qr_invalid'],
      [
        "signed with another key under our key's id",
        forge({ ...unsigned, kid: keyId(TEST_SECRETS.QR_SIGNING_SECRET) }, OTHER_SECRET),
        'qr_invalid',
      ],
      ['signed with the JWT secret', signQrPayload(unsigned, TEST_SECRETS.JWT_SECRET), 'qr_invalid'],
      ['signature truncated by one character', qr.payload.slice(0, -1), 'qr_invalid'],
      ['signature truncated by four characters', qr.payload.slice(0, -4), 'qr_invalid'],
      ['signature dropped', `${head}.${bodyPart}.`, 'qr_invalid'],
      ['two parts only', `${head}.${bodyPart}`, 'qr_invalid'],
      ['a fourth part', `${qr.payload}.${sig}`, 'qr_invalid'],
      ['padded signature', `${qr.payload}=`, 'qr_invalid'],
      [
        'standard base64 alphabet',
        `${head}.${bodyPart}.${Buffer.from(sig, 'base64url').toString('base64')}`,
        'qr_invalid',
      ],
      ['not base64 at all', 'v1.%%%%.!!!!', 'qr_invalid'],
      ['a URL', 'https://example.org/qr?x=1', 'qr_invalid'],
      ['empty string', '', 'qr_invalid'],
      ['over the verifier limit, under the schema limit', 'A'.repeat(1500), 'qr_invalid'],
      ['another version', `v2.${bodyPart}.${sig}`, 'qr_invalid'],
      ['a body with an extra field', forge({ ...body, admin: true }, TEST_SECRETS.QR_SIGNING_SECRET), 'qr_invalid'],
      ['a body that is not JSON', `v1.${Buffer.from('not json').toString('base64url')}.${sig}`, 'qr_invalid'],
    ]
    for (const [name, payload, code] of cases) {
      const res = await mark(app, ada, payload)
      t.equal(res.statusCode, 400, name)
      t.equal(res.json().code, code, name)
      await rejectedAs(t, runtime, ada.user.id, code, { event: null, session: null })
    }
    const huge = await mark(app, ada, 'A'.repeat(10 * 1024))
    t.equal(huge.statusCode, 400, 'a 10 KB string')
    t.ok(['validation_error', 'qr_invalid'].includes(huge.json().code), 'refused by the schema or the verifier')
    t.equal((await mark(app, ada, qr.payload)).statusCode, 200, 'after all that, the real payload still marks')
  })

  t.test('an expired QR code is 410 qr_expired (by the server clock)', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id, 5)
    t.ok(Date.parse(qr.expires_at) - (Date.now() + offsetMs) <= 5000, 'expires within 5 s')
    const ada = await student()
    offsetMs += 6000
    try {
      const res = await mark(app, ada, qr.payload)
      t.equal(res.statusCode, 410)
      t.equal(res.json().code, 'qr_expired')
      await rejectedAs(t, runtime, ada.user.id, 'qr_expired', { event: event.id, session: qr.id })
      t.same(await runtime.store.readStream(attendanceStream(event.id, ada.user.id)), [], 'nothing marked')
    } finally {
      offsetMs -= 6000
    }
    const fresh = await mark(app, ada, qr.payload)
    t.equal(fresh.statusCode, 200, 'the same payload, before its expiry, marks: only the clock refused it')
  })

  t.test('a payload issued in the future is qr_invalid', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const { sid, eid, n } = bodyOf(qr.payload)
    const ada = await student()
    const now = nowSeconds()
    const future = signQrPayload({ sid, eid, n, iat: now + 120, exp: now + 180 }, TEST_SECRETS.QR_SIGNING_SECRET)
    const res = await mark(app, ada, future)
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'qr_invalid')
    await rejectedAs(t, runtime, ada.user.id, 'qr_invalid', { event: event.id, session: qr.id })
    const tooLong = signQrPayload({ sid, eid, n, iat: now, exp: now + 7200 }, TEST_SECRETS.QR_SIGNING_SECRET)
    const long = await mark(app, ada, tooLong)
    t.equal(long.statusCode, 400, 'a lifetime past the maximum')
    t.equal(long.json().code, 'qr_invalid')
  })

  t.test('a revoked QR code is 410 qr_revoked at once, also when the session was cached', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const [ada, bob] = await Promise.all([student(), student()])
    t.equal((await mark(app, ada, qr.payload)).statusCode, 200, 'warms the cache with the issued session')

    // a long transaction elsewhere keeps the revocation out of the feed: the process that
    // answered the revocation must not wait for the feed to refuse the code
    const release = await holdFeed(runtime.config.databaseUrl!)
    t.teardown(release)
    const revoke = await app.inject({ method: 'POST', url: `/api/admin/qr-sessions/${qr.id}/revoke`, headers: asAdmin })
    t.equal(revoke.statusCode, 204)
    const res = await mark(app, bob, qr.payload)
    await release()
    t.equal(res.statusCode, 410)
    t.equal(res.json().code, 'qr_revoked')
    await rejectedAs(t, runtime, bob.user.id, 'qr_revoked', { event: event.id, session: qr.id })
    t.same(await runtime.store.readStream(attendanceStream(event.id, bob.user.id)), [], 'nothing marked')

    const twice = await app.inject({ method: 'POST', url: `/api/admin/qr-sessions/${qr.id}/revoke`, headers: asAdmin })
    t.equal(twice.statusCode, 204, 'revoking again changes nothing')
    const unknown = await app.inject({
      method: 'POST',
      url: `/api/admin/qr-sessions/${randomUUID()}/revoke`,
      headers: asAdmin,
    })
    t.equal(unknown.statusCode, 404)
    t.equal(unknown.json().code, 'not_found')
  })

  t.test(
    'an edit or deletion of a cached club event applies at once: a new geofence, then 404 event_not_found',
    async (t) => {
      const event = await createEvent(app, admin)
      const qr = await issueQr(app, admin, event.id)
      const [ada, bob] = await Promise.all([student(), student()])
      t.equal((await mark(app, ada, qr.payload)).statusCode, 200, 'warms the cache with the active event, unfenced')
      const release = await holdFeed(runtime.config.databaseUrl!)
      t.teardown(release)
      const edit = await app.inject({
        method: 'PATCH',
        url: `/api/admin/events/${event.id}`,
        headers: asAdmin,
        payload: { geofence: { lat: 48.8584, lng: 2.2945, radius_m: 80 } },
      })
      t.equal(edit.statusCode, 200)
      const unfenced = await mark(app, bob, qr.payload)
      t.equal(unfenced.statusCode, 400, 'the new geofence applies to the next scan')
      t.equal(unfenced.json().code, 'location_required')
      const del = await app.inject({ method: 'DELETE', url: `/api/admin/events/${event.id}`, headers: asAdmin })
      t.equal(del.statusCode, 204)
      const res = await mark(app, bob, qr.payload)
      await release()
      t.equal(res.statusCode, 404)
      t.equal(res.json().code, 'event_not_found')
      await rejectedAs(t, runtime, bob.user.id, 'event_not_found', { event: event.id, session: qr.id })
    },
  )

  t.test('another API process learns of revocations and edits through the event feed', async (t) => {
    // a second process on the same database and Redis: it shares nothing in memory with `app`
    const other = await testApp(t, {
      env: ENV,
      databaseUrl: runtime.config.databaseUrl,
      redisPrefix: runtime.config.redisPrefix,
      role: 'api',
    })
    // the feed shows an event once every older write transaction in the cluster has ended, so
    // its latency is that of the longest one running (another test file may hold one for seconds)
    const FEED_MS = 5000

    t.test('a revocation there: 410 qr_revoked here', async (t) => {
      const event = await createEvent(app, admin)
      const qr = await issueQr(app, admin, event.id)
      const [ada, bob] = await Promise.all([student(), student()])
      t.equal((await mark(app, ada, qr.payload)).statusCode, 200, "warms this process' cache with the issued session")
      const revoke = await other.app.inject({
        method: 'POST',
        url: `/api/admin/qr-sessions/${qr.id}/revoke`,
        headers: asAdmin,
      })
      t.equal(revoke.statusCode, 204, 'revoked through the other process')
      const started = Date.now()
      // ada's scans are 409 while this cache holds the issued session, 410 once the feed told it
      await eventually(async () => (await mark(app, ada, qr.payload)).statusCode === 410, FEED_MS)
      t.comment(`the revocation reached the other process' cache in ${Date.now() - started} ms`)
      const res = await mark(app, bob, qr.payload)
      t.equal(res.statusCode, 410)
      t.equal(res.json().code, 'qr_revoked')
      t.same(await runtime.store.readStream(attendanceStream(event.id, bob.user.id)), [], 'nothing marked')
    })

    t.test('a geofence added there is enforced here', async (t) => {
      const event = await createEvent(app, admin)
      const qr = await issueQr(app, admin, event.id)
      const [ada, bob] = await Promise.all([student(), student()])
      t.equal((await mark(app, ada, qr.payload)).statusCode, 200, "warms this process' cache with the event, unfenced")
      const fence = { lat: -33.8688, lng: 151.2093, radius_m: 50 }
      const edit = await other.app.inject({
        method: 'PATCH',
        url: `/api/admin/events/${event.id}`,
        headers: asAdmin,
        payload: { geofence: fence },
      })
      t.equal(edit.statusCode, 200)
      // ada's scans are 409 while this cache holds the unfenced event, 400 once the feed told it
      await eventually(async () => (await mark(app, ada, qr.payload)).json().code === 'location_required', FEED_MS)
      const res = await mark(app, bob, qr.payload)
      t.equal(res.statusCode, 400)
      t.equal(res.json().code, 'location_required')
      await rejectedAs(t, runtime, bob.user.id, 'location_required', { event: event.id, session: qr.id })
      const there = await mark(app, bob, qr.payload, { location: { lat: fence.lat, lng: fence.lng, accuracy_m: 8 } })
      t.equal(there.statusCode, 200, 'at the venue')
    })

    t.test('a deletion there: 404 event_not_found here', async (t) => {
      const event = await createEvent(app, admin)
      const qr = await issueQr(app, admin, event.id)
      const [ada, bob] = await Promise.all([student(), student()])
      t.equal((await mark(app, ada, qr.payload)).statusCode, 200)
      t.equal(
        (await other.app.inject({ method: 'DELETE', url: `/api/admin/events/${event.id}`, headers: asAdmin }))
          .statusCode,
        204,
      )
      await eventually(async () => (await mark(app, ada, qr.payload)).statusCode === 404, FEED_MS)
      const res = await mark(app, bob, qr.payload)
      t.equal(res.statusCode, 404)
      t.equal(res.json().code, 'event_not_found')
    })

    t.test(
      "a role change or deactivation there applies here on the very next scan, though this process cached the caller's role",
      async (t) => {
        const [first, second, third] = await Promise.all([
          createEvent(app, admin),
          createEvent(app, admin),
          createEvent(app, admin),
        ])
        const [qr1, qr2, qr3] = await Promise.all([
          issueQr(app, admin, first.id),
          issueQr(app, admin, second.id),
          issueQr(app, admin, third.id),
        ])
        const ada = await student()
        t.equal((await mark(app, ada, qr1.payload)).statusCode, 200, "this process now holds ada's role")
        const setRole = (role: string) =>
          other.app.inject({
            method: 'POST',
            url: `/api/admin/users/${ada.user.id}/role`,
            headers: asAdmin,
            payload: { role },
          })

        t.equal((await setRole('admin')).statusCode, 204, 'promoted through the other process')
        // admins mark their own attendance too (as in the club's portal): the role read at once still shows
        const promoted = await mark(app, ada, qr2.payload)
        t.equal(promoted.statusCode, 200, 'an admin marks too')
        t.equal((await setRole('student')).statusCode, 204)

        const rejectedBefore = (await rejections(runtime, ada.user.id)).length
        t.equal(
          (
            await other.app.inject({
              method: 'POST',
              url: `/api/admin/users/${ada.user.id}/deactivate`,
              headers: asAdmin,
              payload: {},
            })
          ).statusCode,
          204,
        )
        const tampered = await mark(app, ada, flip(qr3.payload, 10, true))
        t.equal(tampered.statusCode, 401, 'a deactivated caller is unauthorized, even with a bad payload')
        t.equal(
          (await rejections(runtime, ada.user.id)).length,
          rejectedBefore,
          'and no AttendanceRejected is written for her',
        )
        const good = await mark(app, ada, qr3.payload)
        t.equal(good.statusCode, 401)
        t.equal(good.json().code, 'unauthorized')
        t.same(await runtime.store.readStream(attendanceStream(third.id, ada.user.id)), [], 'nothing marked')
      },
    )
  })

  t.test('a well-signed payload naming no real QR session is qr_invalid', async (t) => {
    const event = await createEvent(app, admin)
    const other = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const real = bodyOf(qr.payload)
    const ada = await student()
    const now = nowSeconds()
    const sign = (b: { sid: string; eid: string; n: string }) =>
      signQrPayload({ ...b, iat: now, exp: now + 60 }, TEST_SECRETS.QR_SIGNING_SECRET)
    const cases: [string, string, string][] = [
      [
        'a random session id',
        sign({ sid: randomUUID(), eid: event.id, n: randomBytes(16).toString('base64url') }),
        'unknown',
      ],
      ['a real session under another club event', sign({ sid: real.sid, eid: other.id, n: real.n }), 'other event'],
      [
        'a real session with another nonce',
        sign({ sid: real.sid, eid: real.eid, n: randomBytes(16).toString('base64url') }),
        'nonce',
      ],
    ]
    for (const [name, payload] of cases) {
      const res = await mark(app, ada, payload)
      t.equal(res.statusCode, 400, name)
      t.equal(res.json().code, 'qr_invalid', name)
      await rejectedAs(t, runtime, ada.user.id, 'qr_invalid')
    }
    t.same(
      await runtime.store.readStream(attendanceStream(other.id, ada.user.id)),
      [],
      'nothing marked for the other event',
    )
    t.equal((await mark(app, ada, qr.payload)).statusCode, 200, 'the real payload marks')
  })

  t.test('geofence: inside marks; outside, no location or a poor fix are refused', async (t) => {
    const fence = { lat: 51.5237, lng: -0.1586, radius_m: 100 }
    const event = await createEvent(app, admin, { geofence: fence })
    const qr = await issueQr(app, admin, event.id)
    const ada = await student()
    const cases: [string, unknown, number, string][] = [
      ['no location', undefined, 400, 'location_required'],
      ['a null location', null, 400, 'location_required'],
      ['an accuracy of 5 km', { lat: fence.lat, lng: fence.lng, accuracy_m: 5000 }, 400, 'location_inaccurate'],
      ['a kilometre away', { lat: fence.lat + 0.009, lng: fence.lng, accuracy_m: 10 }, 403, 'outside_geofence'],
      [
        'just past the fence and its accuracy allowance',
        { lat: fence.lat + 0.0015, lng: fence.lng, accuracy_m: 20 },
        403,
        'outside_geofence',
      ],
      ['a latitude that is not on Earth', { lat: 200, lng: fence.lng, accuracy_m: 10 }, 400, 'validation_error'],
    ]
    for (const [name, location, status, code] of cases) {
      const res = await mark(app, ada, qr.payload, location === undefined ? {} : { location })
      t.equal(res.statusCode, status, name)
      t.equal(res.json().code, code, name)
      await rejectedAs(t, runtime, ada.user.id, code, { event: event.id, session: qr.id })
    }
    t.same(await runtime.store.readStream(attendanceStream(event.id, ada.user.id)), [], 'no refusal marked anything')

    const inside = await mark(app, ada, qr.payload, {
      location: { lat: fence.lat + 0.0003, lng: fence.lng, accuracy_m: 15 },
    })
    t.equal(inside.statusCode, 200, 'about 33 m from the centre')
    const [marked] = await runtime.store.readStream(attendanceStream(event.id, ada.user.id))
    t.same(
      (marked?.data as { location: unknown }).location,
      { lat: fence.lat + 0.0003, lng: fence.lng, accuracy_m: 15 },
      'the location is kept',
    )

    const free = await createEvent(app, admin)
    const freeQr = await issueQr(app, admin, free.id)
    t.equal((await mark(app, ada, freeQr.payload)).statusCode, 200, 'no geofence: no location needed')
  })

  t.test('bad mark bodies are 400 validation_error', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const ada = await student()
    const send = (payload: unknown) =>
      app.inject({
        method: 'POST',
        url: '/api/attendance/mark',
        headers: bearer(ada.access_token),
        payload: payload as object,
      })
    const loc = { lat: 1, lng: 2, accuracy_m: 3 }
    const cases: [string, unknown][] = [
      ['qr_payload a number', { qr_payload: 12345 }],
      ['qr_payload missing', {}],
      ['qr_payload null', { qr_payload: null }],
      ['lat as a string', { qr_payload: qr.payload, location: { ...loc, lat: '1' } }],
      ['no accuracy', { qr_payload: qr.payload, location: { lat: 1, lng: 2 } }],
      ['a negative accuracy', { qr_payload: qr.payload, location: { ...loc, accuracy_m: -1 } }],
      ['an array', [qr.payload]],
    ]
    for (const [name, body] of cases) {
      const res = await send(body)
      t.equal(res.statusCode, 400, name)
      t.equal(res.json().code, 'validation_error', name)
    }
    t.same(await runtime.store.readStream(attendanceStream(event.id, ada.user.id)), [], 'nothing marked')
    // keys the body does not name are dropped, never assigned: the mark is the caller's own
    const someoneElse = randomUUID()
    const extra = await send({ qr_payload: qr.payload, user_id: someoneElse, location: { ...loc, spoofed: true } })
    t.equal(extra.statusCode, 200, 'extra fields are ignored')
    t.equal(extra.json().attendance.user_id, ada.user.id)
    t.same(await runtime.store.readStream(attendanceStream(event.id, someoneElse)), [], 'nothing for the named user')
    const [stored] = await runtime.store.readStream(attendanceStream(event.id, ada.user.id))
    t.same((stored!.data as { location: unknown }).location, loc, 'nor an extra location key')
  })

  t.test('members see their marks; admins list them as JSON and as safe CSV', async (t) => {
    const event = await createEvent(app, admin, { title: 'Spreadsheet Night' })
    const qr = await issueQr(app, admin, event.id)
    const ada = await student()
    // a name a spreadsheet would run as a formula
    const evilName = '=HYPERLINK("http://evil.example","click")'
    const s = await signup(app, undefined, undefined, evilName)
    await projected(runtime, s.approval_request.id)
    const decided = await app.inject({
      method: 'POST',
      url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
      headers: asAdmin,
      payload: { decision: 'approve' },
    })
    t.equal(decided.statusCode, 200)
    const evil = await login(app, s.email)

    const a = (await mark(app, ada, qr.payload)).json().attendance
    const b = (await mark(app, evil, qr.payload)).json().attendance
    t.ok(a && b, 'both marked')

    await eventually(async () => {
      const me = await app.inject({ method: 'GET', url: '/api/attendance/me', headers: bearer(ada.access_token) })
      return me.json().items?.some((i: { id: string }) => i.id === a.id)
    })
    const me = await app.inject({ method: 'GET', url: '/api/attendance/me', headers: bearer(ada.access_token) })
    t.equal(me.statusCode, 200)
    const mine = me.json().items.find((i: { id: string }) => i.id === a.id)
    t.match(mine, { ...a, event_title: 'Spreadsheet Night' })
    t.notOk(
      me.json().items.some((i: { user_id: string }) => i.user_id !== ada.user.id),
      'only their own marks',
    )

    await eventually(
      async () =>
        (await app.inject({ method: 'GET', url: `/api/admin/events/${event.id}/attendance`, headers: asAdmin })).json()
          .items?.length === 2,
    )
    const list = await app.inject({ method: 'GET', url: `/api/admin/events/${event.id}/attendance`, headers: asAdmin })
    t.equal(list.statusCode, 200)
    const items = list.json().items as { id: string; user_id: string; full_name: string; email: string }[]
    t.same(items.map((i) => i.id).sort(), [a.id, b.id].sort())
    t.match(
      items.find((i) => i.id === b.id),
      { ...b, full_name: evilName, email: s.email },
    )

    const csv = await app.inject({
      method: 'GET',
      url: `/api/admin/events/${event.id}/attendance?format=csv`,
      headers: asAdmin,
    })
    t.equal(csv.statusCode, 200)
    t.match(csv.headers['content-type'], /^text\/csv/)
    const lines = csv.body.split(/\r?\n/).filter((l) => l !== '')
    t.equal(lines[0], 'id,event_id,user_id,full_name,email,qr_session_id,marked_at', 'a header row')
    t.equal(lines.length, 3, 'one row per mark')
    const evilRow = lines.find((l) => l.includes(b.id))!
    t.ok(evilRow, 'the row of the formula name')
    t.ok(evilRow.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`), 'the formula is neutralised and quoted')
    t.notOk(
      lines.slice(1).some((l) => /(^|,)"?[=+\-@]/.test(l)),
      'no cell starts with a formula character',
    )

    const student403 = await app.inject({
      method: 'GET',
      url: `/api/admin/events/${event.id}/attendance?format=csv`,
      headers: bearer(ada.access_token),
    })
    t.equal(student403.statusCode, 403)
  })

  t.test('active QR sessions are the unexpired, unrevoked ones; each renders as an SVG', async (t) => {
    const event = await createEvent(app, admin)
    const other = await createEvent(app, admin)
    const good = await issueQr(app, admin, event.id, 600)
    const revoked = await issueQr(app, admin, event.id, 600)
    const shortLived = await issueQr(app, admin, event.id, 5)
    const elsewhere = await issueQr(app, admin, other.id, 600)
    t.equal(
      (await app.inject({ method: 'POST', url: `/api/admin/qr-sessions/${revoked.id}/revoke`, headers: asAdmin }))
        .statusCode,
      204,
    )
    const ids = [good.id, revoked.id, shortLived.id, elsewhere.id]
    await eventually(async () => {
      const rows = await runtime.db.kysely
        .selectFrom('qr_sessions')
        .select(['id', 'revoked_at'])
        .where('id', 'in', ids)
        .execute()
      return rows.length === 4 && rows.some((r) => r.id === revoked.id && r.revoked_at !== null)
    })
    const active = async (query = `?event_id=${event.id}`) => {
      const res = await app.inject({ method: 'GET', url: `/api/admin/qr-sessions/active${query}`, headers: asAdmin })
      t.equal(res.statusCode, 200)
      return res.json().items as { id: string; event_id: string; payload: string; expires_at: string }[]
    }
    t.same((await active()).map((i) => i.id).sort(), [good.id, shortLived.id].sort(), 'before the short one expires')
    offsetMs += 6000
    try {
      const items = await active()
      t.same(items, [good], 'only the unexpired, unrevoked session, with the payload it was issued with')
      const all = (await active('')).map((i) => i.id)
      t.ok(
        all.includes(good.id) &&
          all.includes(elsewhere.id) &&
          !all.includes(revoked.id) &&
          !all.includes(shortLived.id),
        'without event_id: every event',
      )
    } finally {
      offsetMs -= 6000
    }

    const svg = await app.inject({ method: 'GET', url: `/api/admin/qr-sessions/${good.id}/qr.svg`, headers: asAdmin })
    t.equal(svg.statusCode, 200)
    t.match(svg.headers['content-type'], /^image\/svg\+xml/)
    t.ok(svg.body.startsWith('<svg') || svg.body.startsWith('<?xml'), 'an SVG document')
    t.match(svg.body, /<\/svg>\s*$/)
    const missing = await app.inject({
      method: 'GET',
      url: `/api/admin/qr-sessions/${randomUUID()}/qr.svg`,
      headers: asAdmin,
    })
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().code, 'not_found')
    const before = Date.now()
    const byDefault = await issueQr(app, admin, event.id)
    const lifetime = Date.parse(byDefault.expires_at) - before
    t.equal(runtime.config.qrExpirySeconds, 60)
    t.ok(lifetime > 58_000 && lifetime <= 61_000, `without ttl_seconds a QR lives QR_EXPIRY_SECONDS (${lifetime} ms)`)
    const { iat, exp } = bodyOf(byDefault.payload)
    t.ok(exp - iat >= 59 && exp - iat <= 60, 'the signed lifetime matches')
    const tooLong = await app.inject({
      method: 'POST',
      url: '/api/admin/qr-sessions',
      headers: asAdmin,
      payload: { event_id: event.id, ttl_seconds: 3601 },
    })
    t.equal(tooLong.statusCode, 400, 'ttl_seconds over an hour')
    t.equal(tooLong.json().code, 'validation_error')
    const noEvent = await app.inject({
      method: 'POST',
      url: '/api/admin/qr-sessions',
      headers: asAdmin,
      payload: { event_id: randomUUID() },
    })
    t.equal(noEvent.statusCode, 404, 'no QR for an unknown club event')
    t.equal(noEvent.json().code, 'not_found')
  })
})

t.test('key rotation: a payload signed with the previous key still marks', async (t) => {
  const OLD = randomBytes(32).toString('hex')
  const NEW = randomBytes(32).toString('hex')
  const { app, runtime } = await testApp(t, {
    env: { ...ENV, QR_SIGNING_SECRET: NEW, QR_SIGNING_SECRET_PREVIOUS: OLD },
  })
  const admin = await adminSession(app, runtime)
  const event = await createEvent(app, admin)
  const qr = await issueQr(app, admin, event.id)
  const body = bodyOf(qr.payload)
  t.equal(body.kid, keyId(NEW), 'new QR codes are signed with the current key')
  const { kid: _kid, ...unsigned } = body
  const [ada, bob, cyd] = await Promise.all([
    member(app, runtime, admin),
    member(app, runtime, admin),
    member(app, runtime, admin),
  ])

  const old = await mark(app, ada, signQrPayload(unsigned, OLD))
  t.equal(old.statusCode, 200, 'a QR code printed before the rotation')
  t.equal(old.json().attendance.qr_session_id, qr.id)
  t.equal((await mark(app, bob, qr.payload)).statusCode, 200, 'and one signed with the current key')
  const stranger = await mark(app, cyd, signQrPayload(unsigned, OTHER_SECRET))
  t.equal(stranger.statusCode, 400, 'any other key is still refused')
  t.equal(stranger.json().code, 'qr_invalid')
  await rejectedAs(t, runtime, cyd.user.id, 'qr_invalid', { event: null, session: null })
  const oldTestKey = await mark(app, cyd, signQrPayload(unsigned, TEST_SECRETS.QR_SIGNING_SECRET))
  t.equal(oldTestKey.statusCode, 400, 'a key that is neither current nor previous')
})

t.test('a QR_EXPIRY_SECONDS that QR sessions would refuse stops the start', async (t) => {
  const env = { NODE_ENV: 'test', ...TEST_SECRETS }
  t.equal(loadConfig({ ...env, QR_EXPIRY_SECONDS: '30' }).qrExpirySeconds, 30)
  // below QR_TTL_SECONDS.min every POST /api/admin/qr-sessions without ttl_seconds would be a 400
  for (const bad of ['1', String(QR_TTL_SECONDS.min - 1), String(QR_TTL_SECONDS.max + 1)]) {
    t.throws(
      () => loadConfig({ ...env, QR_EXPIRY_SECONDS: bad }),
      { name: 'ConfigError', variable: 'QR_EXPIRY_SECONDS' },
      `QR_EXPIRY_SECONDS=${bad}`,
    )
  }
  t.equal(loadConfig({ ...env, QR_EXPIRY_SECONDS: String(QR_TTL_SECONDS.min) }).qrExpirySeconds, QR_TTL_SECONDS.min)
})
