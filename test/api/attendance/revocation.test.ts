import t from 'tap'
import { attendanceStream } from '../../../src/domain/attendance/events'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, member } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { createEvent, holdFeed, issueQr, mark } from '../../helpers/attendance'

/**
 * A revocation, an edit or a deletion made through one API process reaches
 * another's hot-path cache within a second even while a transaction held open
 * elsewhere in the cluster stops the event feed (which shows an event only once
 * every older transaction has ended): it travels as a notification of its own.
 */

const ENV = { RATE_LIMIT_MARK_PER_USER: '100000', RATE_LIMIT_SIGNUP_PER_IP: '1000', RATE_LIMIT_LOGIN_PER_IP: '1000' }
/** the bound the hot path promises, whatever the feed is doing */
const WITHIN_MS = 1000

t.test('changes that reach every API process at once', async (t) => {
  const { app, runtime } = await testApp(t, { env: ENV })
  // a second process on the same database and Redis: it shares nothing in memory with `app`
  const other = await testApp(t, {
    env: ENV,
    databaseUrl: runtime.config.databaseUrl,
    redisPrefix: runtime.config.redisPrefix,
    role: 'api',
  })
  const admin = await adminSession(app, runtime)
  const asAdmin = bearer(admin.access_token)
  const student = () => member(app, runtime, admin)

  /** a scan here until `done` says so, for at most WITHIN_MS; how long it took */
  async function within(check: () => Promise<boolean>): Promise<number> {
    const started = Date.now()
    await eventually(check, WITHIN_MS, 20)
    return Date.now() - started
  }

  t.test('a QR revoked there is refused here within a second while a transaction stays open', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const [ada, bob] = await Promise.all([student(), student()])
    t.equal((await mark(app, ada, qr.payload)).statusCode, 201, "warms this process' cache with the issued session")
    const release = await holdFeed(runtime.config.databaseUrl!)
    t.teardown(release)
    const revoke = await other.app.inject({
      method: 'POST',
      url: `/api/admin/qr-sessions/${qr.id}/revoke`,
      headers: asAdmin,
    })
    t.equal(revoke.statusCode, 204, 'revoked through the other process')
    // ada's scans are 409 already_marked while this cache holds the issued session, 410 once it knows
    const ms = await within(async () => (await mark(app, ada, qr.payload)).statusCode === 410)
    t.comment(`the revocation reached the other process in ${ms} ms, the feed held back`)
    const res = await mark(app, bob, qr.payload)
    await release()
    t.equal(res.statusCode, 410)
    t.equal(res.json().code, 'qr_revoked')
    t.same(await runtime.store.readStream(attendanceStream(event.id, bob.user.id)), [], 'nothing marked')
  })

  t.test('a club event deleted there is refused here within a second while a transaction stays open', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const [ada, bob] = await Promise.all([student(), student()])
    t.equal((await mark(app, ada, qr.payload)).statusCode, 201, "warms this process' cache with the event")
    const release = await holdFeed(runtime.config.databaseUrl!)
    t.teardown(release)
    const del = await other.app.inject({ method: 'DELETE', url: `/api/admin/events/${event.id}`, headers: asAdmin })
    t.equal(del.statusCode, 204, 'deleted through the other process')
    const ms = await within(async () => (await mark(app, ada, qr.payload)).statusCode === 404)
    t.comment(`the deletion reached the other process in ${ms} ms, the feed held back`)
    const res = await mark(app, bob, qr.payload)
    await release()
    t.equal(res.statusCode, 404)
    t.equal(res.json().code, 'event_not_found')
  })

  t.test('notifications lost while a process was not listening: it forgets what it cached once back', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const ada = await student()
    t.equal((await mark(app, ada, qr.payload)).statusCode, 201, "warms this process' cache")
    const release = await holdFeed(runtime.config.databaseUrl!)
    t.teardown(release)
    // what a restart of PostgreSQL does to the LISTEN connections of this test's own database
    const cut = await runtime.db.pool.query(
      `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'dscp-listen'`,
    )
    t.ok(Number((cut.rows[0] as { n: string }).n) >= 2, 'both processes lost their LISTEN connection')
    const revoke = await other.app.inject({
      method: 'POST',
      url: `/api/admin/qr-sessions/${qr.id}/revoke`,
      headers: asAdmin,
    })
    t.equal(revoke.statusCode, 204, 'revoked while nobody listened')
    const ms = await within(async () => (await mark(app, ada, qr.payload)).statusCode === 410)
    t.comment(`refused ${ms} ms after the revocation, once the connection was back`)
    await release()
  })
})
