import { randomUUID } from 'node:crypto'
import t from 'tap'
import { rejectionStream } from '../../../src/domain/attendance/events'
import { loadState } from '../../../src/commands/handle'
import { clubEventDecider } from '../../../src/domain/club-events/decide'
import { clubEventStream } from '../../../src/domain/club-events/events'
import { qrSessionDecider } from '../../../src/domain/qr/decide'
import { qrSessionStream } from '../../../src/domain/qr/events'
import { keyId } from '../../../src/domain/qr/signing'
import { loadConfig } from '../../../src/config'
import { bodyOf, createEvent, holdFeed, issueQr, mark, type QrSessionBody } from '../../helpers/attendance'
import { adminSession, bearer, member } from '../../helpers/identity'
import { TEST_SECRETS, testApp } from '../../helpers/runtime'

/**
 * POST /api/admin/qr-sessions/:id/rotate, the club's "refresh QR": the next
 * code for the same club event, the replaced one still marking for
 * QR_ROTATION_GRACE_SECONDS (10 here, the default) so that no scan made just
 * before the screen changed is lost. The clock is moved, never slept on.
 */

const ENV = { RATE_LIMIT_MARK_PER_USER: '100000', RATE_LIMIT_SIGNUP_PER_IP: '1000', RATE_LIMIT_LOGIN_PER_IP: '1000' }
const GRACE_MS = 10_000

t.test('QR_ROTATION_GRACE_SECONDS: 10 by default, 0 to 60 whole seconds', async (t) => {
  const base = { NODE_ENV: 'test', ...TEST_SECRETS }
  t.equal(loadConfig(base).qrRotationGraceSeconds, 10)
  t.equal(loadConfig({ ...base, QR_ROTATION_GRACE_SECONDS: '0' }).qrRotationGraceSeconds, 0)
  t.equal(loadConfig({ ...base, QR_ROTATION_GRACE_SECONDS: '60' }).qrRotationGraceSeconds, 60)
  for (const bad of ['-1', '61', '2.5', 'soon'])
    t.throws(
      () => loadConfig({ ...base, QR_ROTATION_GRACE_SECONDS: bad }),
      { name: 'ConfigError', variable: 'QR_ROTATION_GRACE_SECONDS' },
      bad,
    )
})

t.test('rotating QR codes', async (t) => {
  let offsetMs = 0
  const { app, runtime } = await testApp(t, {
    env: ENV,
    sources: { now: () => new Date(Date.now() + offsetMs), uuid: randomUUID },
  })
  const admin = await adminSession(app, runtime)
  const asAdmin = bearer(admin.access_token)
  const [ada, bob, cy] = await Promise.all([
    member(app, runtime, admin),
    member(app, runtime, admin),
    member(app, runtime, admin),
  ])
  const store = runtime.store

  const rotate = (id: string, headers: Record<string, string> = asAdmin) =>
    app.inject({ method: 'POST', url: `/api/admin/qr-sessions/${id}/rotate`, headers })
  const revoke = (id: string) =>
    app.inject({ method: 'POST', url: `/api/admin/qr-sessions/${id}/revoke`, headers: asAdmin })
  const rotated = async (id: string): Promise<QrSessionBody> => {
    const res = await rotate(id)
    if (res.statusCode !== 201) throw new Error(`rotate ${res.statusCode} ${res.body}`)
    return (res.json() as { qr_session: QrSessionBody }).qr_session
  }
  const types = async (id: string) => (await store.readStream(qrSessionStream(id))).map((e) => e.type)
  const active = async (eventId: string) => {
    const res = await app.inject({ url: `/api/admin/qr-sessions/active?event_id=${eventId}`, headers: asAdmin })
    return (res.json() as { items: QrSessionBody[] }).items.map((q) => q.id).sort()
  }

  t.test(
    'the old code marks within the grace, is 410 qr_revoked after it; the new code marks; revoked, at once 410',
    async (t) => {
      const event = await createEvent(app, admin)
      const old = await issueQr(app, admin, event.id)
      const next = await rotated(old.id)
      t.not(next.id, old.id, 'a new session')
      t.equal(next.event_id, event.id, 'for the same club event')
      t.equal(bodyOf(next.payload).sid, next.id)
      t.ok(Date.parse(next.expires_at) - (Date.now() + offsetMs) > 55_000, 'living as long as the old one did (60 s)')
      t.same(await types(old.id), ['QrIssued', 'QrRotated'])
      const [issued] = await store.readStream(qrSessionStream(next.id))
      t.match(issued, { type: 'QrIssued', data: { rotated_from: old.id, nonce: bodyOf(next.payload).n } })
      t.same(await active(event.id), [old.id, next.id].sort(), 'both listed during the grace')

      t.equal((await mark(app, ada, old.payload)).statusCode, 200, 'a scan of the old code within the grace: 200')

      offsetMs += GRACE_MS
      const late = await mark(app, bob, old.payload)
      t.equal(late.statusCode, 410, 'after the grace: 410')
      t.equal(late.json().code, 'qr_revoked')
      const [rejected] = (await store.readStream(rejectionStream(bob.user.id))).slice(-1)
      t.match(rejected?.data, { reason: 'qr_revoked', qr_session_id: old.id, detail: /replaced by a newer/ }, 'audited')
      t.same(await active(event.id), [next.id], 'the old code leaves the active list after its grace')

      t.equal((await mark(app, bob, next.payload)).statusCode, 200, 'the new code marks')
      t.equal((await revoke(next.id)).statusCode, 204)
      const stopped = await mark(app, cy, next.payload)
      t.equal(stopped.statusCode, 410, 'revoked: refused at once')
      t.equal(stopped.json().code, 'qr_revoked')
      t.same(await active(event.id), [])
    },
  )

  t.test('the replaced code is refused after its grace even while the feed is held back', async (t) => {
    const event = await createEvent(app, admin)
    const old = await issueQr(app, admin, event.id)
    t.equal((await mark(app, ada, old.payload)).statusCode, 200, 'this process now caches the session as issued')
    // the feed shows nothing new until this transaction ends: only the rotating call's own word drops the entry
    const release = await holdFeed(runtime.config.databaseUrl!)
    t.teardown(release)
    await rotated(old.id)
    offsetMs += GRACE_MS
    const res = await mark(app, bob, old.payload)
    await release()
    t.equal(res.statusCode, 410)
    t.equal(res.json().code, 'qr_revoked')
  })

  t.test('revoking the new code ends the grace of the code it replaced at once', async (t) => {
    const event = await createEvent(app, admin)
    const old = await issueQr(app, admin, event.id)
    const next = await rotated(old.id)
    t.equal((await revoke(next.id)).statusCode, 204)
    const res = await mark(app, ada, old.payload)
    t.equal(res.statusCode, 410, 'the old code, still within its grace, is refused')
    t.equal(res.json().code, 'qr_revoked')
    t.same(await types(old.id), ['QrIssued', 'QrRotated', 'QrRevoked'])
  })

  t.test('20 concurrent rotations of one code: all 201 with the same next session, one QrRotated stored', async (t) => {
    const event = await createEvent(app, admin)
    const old = await issueQr(app, admin, event.id)
    const answers = await Promise.all(Array.from({ length: 20 }, () => rotate(old.id)))
    t.same(
      answers.map((r) => r.statusCode),
      Array(20).fill(201),
    )
    const sessions = answers.map((r) => (r.json() as { qr_session: QrSessionBody }).qr_session)
    t.equal(new Set(sessions.map((s) => s.id)).size, 1, 'one next session id')
    t.equal(new Set(sessions.map((s) => s.payload)).size, 1, 'one payload')
    t.same(await types(old.id), ['QrIssued', 'QrRotated'], 'exactly one rotation')
    t.same(await types(sessions[0]!.id), ['QrIssued'], 'the next session issued once')
    t.same(await rotated(old.id), sessions[0], 'a later retry answers the same')
  })

  t.test('a rotation cut short before the next session was stored is completed by the next call', async (t) => {
    const event = await createEvent(app, admin)
    const old = await issueQr(app, admin, event.id)
    // what a process that died between the two appends leaves behind: the rotation, and no next session
    const nextId = randomUUID()
    const [rotation] = qrSessionDecider.decide(
      {
        type: 'RotateQr',
        data: {
          qr_session_id: old.id,
          next_qr_session_id: nextId,
          next_nonce: 'Zm9vYmFyYmF6cXV4cXV1eA',
          key_id: keyId(TEST_SECRETS.QR_SIGNING_SECRET),
          grace_seconds: 10,
          club_event: await loadState(store, clubEventStream(event.id), clubEventDecider),
        },
        metadata: { actor_id: admin.user.id, now: new Date(Date.now() + offsetMs) },
      },
      await loadState(store, qrSessionStream(old.id), qrSessionDecider),
    )
    await store.append(qrSessionStream(old.id), [{ id: randomUUID(), ...rotation!, metadata: {} }], {
      expectedRevision: 0n,
    })
    t.same(await types(nextId), [], 'no next session yet')
    const next = await rotated(old.id)
    t.equal(next.id, nextId, 'the stored rotation is answered')
    t.same(await types(nextId), ['QrIssued'], 'and its session stored')
    t.equal((await mark(app, ada, next.payload)).statusCode, 200, 'whose code marks')
  })

  t.test('a revoked code: the next one is issued, the revoked one stays refused', async (t) => {
    const event = await createEvent(app, admin)
    const old = await issueQr(app, admin, event.id)
    t.equal((await revoke(old.id)).statusCode, 204)
    const next = await rotated(old.id)
    t.equal(next.event_id, event.id)
    t.equal((await mark(app, ada, old.payload)).json().code, 'qr_revoked', 'no grace for a revoked code')
    t.equal((await mark(app, ada, next.payload)).statusCode, 200)
  })

  t.test('refusals: a malformed id 400, an unknown one 404, a deleted club event 404, a student 403', async (t) => {
    const bad = await rotate('not-a-uuid')
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().code, 'validation_error')
    const unknown = await rotate(randomUUID())
    t.equal(unknown.statusCode, 404)
    t.equal(unknown.json().code, 'not_found')

    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const student = await rotate(qr.id, bearer(ada.access_token))
    t.equal(student.statusCode, 403)
    t.equal(student.json().code, 'forbidden')
    t.equal((await rotate(qr.id, {})).statusCode, 401, 'no token')
    t.equal(
      (await app.inject({ method: 'DELETE', url: `/api/admin/events/${event.id}`, headers: asAdmin })).statusCode,
      204,
    )
    const gone = await rotate(qr.id)
    t.equal(gone.statusCode, 404)
    t.equal(gone.json().code, 'not_found')
    t.same(await types(qr.id), ['QrIssued'], 'nothing appended by any refusal')
  })
})
