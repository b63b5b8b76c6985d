import t, { type Test } from 'tap'
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
type Ids = { event: string; qr: string }

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
  async function within(check: () => Promise<boolean>, ms = WITHIN_MS): Promise<number> {
    const started = Date.now()
    await eventually(check, ms, 20)
    return Date.now() - started
  }

  /** A club event and a QR for it, scanned here once so that this process caches both; then the feed held back. */
  async function cachedWhileFeedHeld(t: Test) {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const [ada, bob] = await Promise.all([student(), student()])
    t.equal((await mark(app, ada, qr.payload)).statusCode, 200, "warms this process' cache")
    const release = await holdFeed(runtime.config.databaseUrl!)
    t.teardown(release)
    return { event, qr, ada, bob, release }
  }
  const revokeThere = (id: string) =>
    other.app.inject({ method: 'POST', url: `/api/admin/qr-sessions/${id}/revoke`, headers: asAdmin })

  // a change made through the other process, and what a scan here answers once this process knows of it
  const changes = [
    { what: 'a QR revoked', status: 410, code: 'qr_revoked', change: (ids: Ids) => revokeThere(ids.qr) },
    {
      what: 'a club event deleted',
      status: 404,
      code: 'event_not_found',
      change: (ids: Ids) =>
        other.app.inject({ method: 'DELETE', url: `/api/admin/events/${ids.event}`, headers: asAdmin }),
    },
  ]
  for (const { what, status, code, change } of changes) {
    t.test(`${what} there is refused here within a second while a transaction stays open`, async (t) => {
      const { event, qr, ada, bob, release } = await cachedWhileFeedHeld(t)
      t.equal((await change({ event: event.id, qr: qr.id })).statusCode, 204, 'changed through the other process')
      // ada's scans are 409 already_marked while this cache holds the old state, then `status`
      const ms = await within(async () => (await mark(app, ada, qr.payload)).statusCode === status)
      t.comment(`${what} reached the other process in ${ms} ms, the feed held back`)
      const res = await mark(app, bob, qr.payload)
      await release()
      t.equal(res.statusCode, status)
      t.equal(res.json().code, code)
      t.same(await runtime.store.readStream(attendanceStream(event.id, bob.user.id)), [], 'nothing marked')
    })
  }

  t.test('notifications lost while a process was not listening: it forgets what it cached once back', async (t) => {
    const { qr, ada, release } = await cachedWhileFeedHeld(t)
    // what a restart of PostgreSQL does to the LISTEN connections of this test's own database
    const cut = await runtime.db.pool.query(
      `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'dscp-listen'`,
    )
    t.ok(Number((cut.rows[0] as { n: string }).n) >= 2, 'both processes lost their LISTEN connection')
    t.equal((await revokeThere(qr.id)).statusCode, 204, 'revoked while nobody listened')
    // the listening connection comes back after the notifier's reconnect delay (250 ms), then everything is read again
    const ms = await within(async () => (await mark(app, ada, qr.payload)).statusCode === 410, 2 * WITHIN_MS)
    t.comment(`refused ${ms} ms after the revocation, once the connection was back`)
    await release()
  })
})
