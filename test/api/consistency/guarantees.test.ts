import t from 'tap'
import pg from 'pg'
import type { Runtime } from '../../../src/runtime'
import { createEvent, holdFeed, issueQr, mark, students } from '../../helpers/attendance'
import { adminSession, bearer, signup } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'

/**
 * Every SQL text `runtime`'s pool sends, and every Redis command it sends,
 * while `fn` runs (recorded at the client, so nothing else changes).
 */
async function roundTripsDuring(runtime: Runtime, fn: () => Promise<unknown>) {
  const sql: string[] = []
  const redis: string[] = []
  const clients = (runtime.db.pool as unknown as { _clients: unknown[] })._clients
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0]
    if (clients.includes(this)) sql.push(typeof q === 'string' ? q : ((q as { text?: string }).text ?? ''))
    return (query as (...a: unknown[]) => unknown).apply(this, args)
  } as typeof query
  const send = runtime.redis!.sendCommand.bind(runtime.redis!)
  runtime.redis!.sendCommand = ((command: { name: string }) => {
    redis.push(command.name)
    return send(command as never)
  }) as typeof send
  try {
    await fn()
  } finally {
    pg.Client.prototype.query = query
    runtime.redis!.sendCommand = send
  }
  return { sql, redis }
}

t.test('a consistency token, sent back on a request, gives its guarantee to anyone', async (t) => {
  const { app, runtime } = await testApp(t, { env: { READ_YOUR_WRITES_TIMEOUT_MS: '30000' } })
  const admin = await adminSession(app, runtime)
  const s = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email: 'token.bearer@club.example.org', password: 'Correct-Horse-7-Battery', full_name: 'Tess Token' },
  })
  t.equal(s.statusCode, 200)
  const token = s.headers['consistency-token'] as string
  t.match(token, /^\d+:\d+$/, 'a signup answers with the position it wrote')
  // the admin's own session never wrote it: the token is what makes the list wait
  const list = await app.inject({
    method: 'GET',
    url: '/api/admin/approval-requests?status=pending',
    headers: { ...bearer(admin.access_token), 'consistency-token': token },
  })
  t.equal(list.statusCode, 200)
  t.ok((list.json().items as { email: string }[]).some((r) => r.email === 'token.bearer@club.example.org'))
  t.notOk(list.headers['consistency-stale'], 'it caught up')

  for (const bad of ['yesterday', '1:2:3:4', '9'.repeat(70), '-1:5']) {
    const res = await app.inject({
      method: 'GET',
      url: '/api/events',
      headers: { ...bearer(admin.access_token), 'consistency-token': bad },
    })
    t.equal(res.statusCode, 400, `${bad.slice(0, 12)}… is refused`)
    t.equal(res.json().code, 'validation_error')
  }
})

t.test('every write answers with its token; a refusal does not', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const admin = await adminSession(app, runtime)
  const [student] = await students(app, runtime, admin, 1)
  const event = await createEvent(app, admin)
  const qr = await issueQr(app, admin, event.id)
  const other = await signup(app)
  const writes = {
    'PATCH event': await app.inject({
      method: 'PATCH',
      url: `/api/admin/events/${event.id}`,
      headers: bearer(admin.access_token),
      payload: { title: 'Renamed' },
    }),
    'POST mark': await mark(app, student!, qr.payload),
    'POST decide': await app.inject({
      method: 'POST',
      url: `/api/admin/approval-requests/${other.approval_request.id}/decide`,
      headers: bearer(admin.access_token),
      payload: { decision: 'reject' },
    }),
    'POST revoke': await app.inject({
      method: 'POST',
      url: `/api/admin/qr-sessions/${qr.id}/revoke`,
      headers: bearer(admin.access_token),
    }),
    'DELETE event': await app.inject({
      method: 'DELETE',
      url: `/api/admin/events/${event.id}`,
      headers: bearer(admin.access_token),
    }),
    'POST refresh': await app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: student!.refresh_token },
    }),
  }
  for (const [what, res] of Object.entries(writes)) {
    t.ok(res.statusCode >= 200 && res.statusCode < 300, `${what}: ${res.statusCode}`)
    t.match(res.headers['consistency-token'], /^\d+:\d+$/, `${what} carries its token`)
  }
  const again = await mark(app, student!, qr.payload)
  t.equal(again.statusCode, 410, 'a refused mark (the code was revoked) is recorded…')
  t.notOk(again.headers['consistency-token'], '…but carries no token')
})

t.test('a read with nothing pending costs no round trip: no query, no Redis command beyond its own', async (t) => {
  const { app, runtime } = await testApp(t, { env: { READ_YOUR_WRITES_TIMEOUT_MS: '30000' } })
  // an API process beside it, on the same database and Redis: no runner of its own sends queries meanwhile
  const other = await testApp(t, {
    role: 'api',
    databaseUrl: runtime.config.databaseUrl,
    redisPrefix: runtime.config.redisPrefix,
    env: { READ_YOUR_WRITES_TIMEOUT_MS: '30000' },
  })
  const admin = await adminSession(app, runtime)
  const reader = await adminSession(app, runtime)
  await createEvent(app, admin)
  const read = (who: { access_token: string }) =>
    other.app.inject({ method: 'GET', url: '/api/events', headers: bearer(who.access_token) })
  // the first reads: caches warm, each session looked up once (this process started a moment ago)
  t.equal((await read(admin)).statusCode, 200)
  t.equal((await read(reader)).statusCode, 200)

  // the process's own feed reader (its QR cache) and its watch on builds (every 50 ms here) poll
  // meanwhile: those reads are not the request's
  const mine = (r: { sql: string[]; redis: string[] }) => ({
    sql: r.sql.filter((q) => !/pg_snapshot_xmin|building_since/.test(q)),
    redis: r.redis,
  })
  const wroteBefore = mine(await roundTripsDuring(other.runtime, () => read(admin)))
  const neverWrote = mine(await roundTripsDuring(other.runtime, () => read(reader)))
  t.ok(neverWrote.sql.length > 0, `the read's own statements are seen: ${neverWrote.sql.length}`)
  t.same(wroteBefore.redis, [], 'no Redis command: the session is known in memory')
  t.same(neverWrote.redis, [])
  t.same(wroteBefore.sql, neverWrote.sql, `the same ${neverWrote.sql.length} statements as a session that never wrote`)
  t.notOk(
    [...wroteBefore.sql, ...neverWrote.sql].some((q) => /projection_checkpoints|pg_notify/i.test(q)),
    'and no checkpoint is read: the board is in memory',
  )
})

t.test('with the feed held back, a read after a write answers within the bound and says it is stale', async (t) => {
  const { app, runtime } = await testApp(t, { env: { READ_YOUR_WRITES_TIMEOUT_MS: '300' } })
  const admin = await adminSession(app, runtime)
  const release = await holdFeed(runtime.config.databaseUrl!)
  t.teardown(release)
  const event = await createEvent(app, admin)
  const started = Date.now()
  const read = await app.inject({ method: 'GET', url: `/api/events/${event.id}`, headers: bearer(admin.access_token) })
  const took = Date.now() - started
  t.equal(read.statusCode, 404, 'what the read model has: not the event yet')
  t.equal(
    read.headers['consistency-stale'],
    'club_events, attendance_records',
    'and a header that says which read model lags',
  )
  t.ok(took >= 290 && took < 2000, `answered after ${took} ms, within the bound`)
  await release()
  // other test files may hold the cluster's feed back too: within their hold, a read may time out again
  let later = await app.inject({ method: 'GET', url: `/api/events/${event.id}`, headers: bearer(admin.access_token) })
  for (let i = 0; i < 60 && later.statusCode !== 200; i++)
    later = await app.inject({ method: 'GET', url: `/api/events/${event.id}`, headers: bearer(admin.access_token) })
  t.equal(later.statusCode, 200, 'once the feed moves on, the read waits and sees it')
  t.notOk(later.headers['consistency-stale'])
  const waits = await runtime.metrics.registry.getSingleMetricAsString('read_your_writes_wait_seconds')
  t.match(waits, /read_your_writes_wait_seconds_count\{outcome="timeout"\} [1-9]/, 'the time-out is counted')
})

t.test('without Redis, one process remembers its sessions in memory', async (t) => {
  // patient: other test files may hold the cluster's feeds back for seconds
  const { app, runtime } = await testApp(t, { redis: false, env: { READ_YOUR_WRITES_TIMEOUT_MS: '30000' } })
  const admin = await adminSession(app, runtime)
  let missed = 0
  for (let i = 0; i < 50; i++) {
    const event = await createEvent(app, admin)
    const read = await app.inject({
      method: 'GET',
      url: `/api/events/${event.id}`,
      headers: bearer(admin.access_token),
    })
    if (read.statusCode !== 200) missed++
  }
  t.equal(missed, 0)
})
