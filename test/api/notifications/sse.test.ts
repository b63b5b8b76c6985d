import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { buildApp } from '../../../src/api/app'
import type { App } from '../../../src/api/types'
import { ticketKey } from '../../../src/platform/stream-tickets'
import { adminSession, bearer, signup } from '../../helpers/identity'
import { testApp, testRuntime } from '../../helpers/runtime'
import { TEST_REDIS_URL } from '../../helpers/services'
import { createEvent } from '../../helpers/attendance'
import { caughtUp, mark } from '../../helpers/notifications'
import { SseConnection } from '../../helpers/sse'

const NO_LIMITS = { RATE_LIMIT_ENABLED: 'false' }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Two processes on one database and Redis prefix: B ('all') handles commands
 * and runs the projections; A ('api') only serves, listening on a real port.
 * Every URL either of them is asked for is kept, to check no token is in one.
 */
async function twoProcesses(t: Test, envA: Record<string, string> = {}) {
  const b = await testApp(t, { env: NO_LIMITS })
  const urls: string[] = []
  b.app.addHook('onRequest', async (req) => void urls.push(req.url))
  const runtimeA = await testRuntime(t, {
    role: 'api',
    databaseUrl: b.runtime.config.databaseUrl,
    redisPrefix: b.runtime.config.redisPrefix,
    env: { ...NO_LIMITS, SSE_HEARTBEAT_SECONDS: '0.2', ...envA },
  })
  const appA = await buildApp(runtimeA)
  appA.addHook('onRequest', async (req) => void urls.push(req.url))
  t.teardown(() => appA.close())
  await appA.listen({ port: 0, host: '127.0.0.1' })
  const port = (appA.server.address() as AddressInfo).port
  return { b, appA, runtimeA, port, urls }
}

async function ticket(app: App, token: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/notifications/stream-ticket', headers: bearer(token) })
  if (res.statusCode !== 200) throw new Error(`ticket ${res.statusCode} ${res.body}`)
  return (res.json() as { ticket: string }).ticket
}

const stream = (port: number, tk: string, headers: Record<string, string> = {}) =>
  SseConnection.open(port, `/api/notifications/stream?ticket=${tk}`, headers)

t.test('a stream on process A gets, within 1 s, the notification a command on process B caused', async (t) => {
  const { b, port, urls } = await twoProcesses(t)
  const admin = await adminSession(b.app, b.runtime)
  // issued by B, redeemed by A: tickets live in the shared Redis
  const conn = await stream(port, await ticket(b.app, admin.access_token))
  t.teardown(() => conn.close())
  t.equal(conn.status, 200)
  t.match(conn.headers['content-type'], /^text\/event-stream/)
  t.equal(conn.headers['cache-control'], 'no-store')
  t.equal(conn.headers['x-accel-buffering'], 'no')

  // one first, so connections and prepared statements are warm: the bound is for steady state
  await signup(b.app)
  await conn.received(1)
  const s = await signup(b.app, undefined, undefined, 'Dorothy Vaughan')
  // from B's acknowledgement: B's projector writes the row, its commit wakes A, A pushes
  const accepted = Date.now()
  const ev = (await conn.received(2, 1000))[1]
  t.ok(Date.now() - accepted <= 1000, `arrived ${Date.now() - accepted} ms after B accepted the command`)
  t.equal(ev!.event, 'notification')
  t.match(ev!.id, /^\d+$/, 'the id is the resume cursor')
  const n = conn.json(1)
  t.match(n, {
    type: 'signup_requested',
    title: 'New signup: Dorothy Vaughan',
    read_at: null,
    data: { user_id: s.user.id },
  })

  await sleep(500)
  t.ok(conn.comments >= 2, `heartbeat comments keep the connection alive (${conn.comments} in 0.5 s at 0.2 s)`)
  t.equal(conn.events.length, 2, 'nothing else was sent')
  // a coalesced notification that changes is sent again, under a later id
  const event = await createEvent(b.app, admin, { title: 'Live Night' })
  const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000)
  for (let i = 0; i < 2; i++) {
    await mark(b.runtime, event.id, minute)
    await conn.received(3 + i)
  }
  t.same(
    [2, 3].map((i) => conn.json(i).data.count),
    [1, 2],
    'each new count is pushed',
  )
  t.equal(conn.json(2).id, conn.json(3).id, 'for the same notification')
  t.ok(Number(conn.events[3]!.id) > Number(conn.events[2]!.id), 'under a later event id')
  for (const u of urls)
    t.notOk(u.includes(admin.access_token) || u.includes(admin.refresh_token), `no token in ${u.slice(0, 60)}`)
})

t.test('a reconnect with Last-Event-ID gets everything it missed, exactly once, then live ones', async (t) => {
  const { b, port } = await twoProcesses(t)
  const admin = await adminSession(b.app, b.runtime)
  const first = await stream(port, await ticket(b.app, admin.access_token))
  await signup(b.app)
  const [seen] = await first.received(1)
  first.close()

  const missed = [await signup(b.app), await signup(b.app), await signup(b.app)]
  await caughtUp(b.runtime)
  const fresh = await stream(port, await ticket(b.app, admin.access_token))
  t.teardown(() => fresh.close())
  const again = await stream(port, await ticket(b.app, admin.access_token), { 'last-event-id': seen!.id! })
  t.teardown(() => again.close())
  await again.received(3)
  t.same(
    [0, 1, 2].map((i) => again.json(i).data.user_id),
    missed.map((s) => s.user.id),
    'the three missed, in order',
  )
  const ids = again.events.map((e) => Number(e.id))
  t.ok(
    ids.every((id, i) => id > (i === 0 ? Number(seen!.id) : ids[i - 1]!)),
    'ids increase',
  )

  const live = await signup(b.app)
  await again.received(4)
  await fresh.received(1)
  await sleep(300)
  t.equal(again.events.length, 4, 'each exactly once')
  t.equal(again.json(3).data.user_id, live.user.id, 'then the live one')
  t.equal(fresh.events.length, 1, 'without Last-Event-ID only what happens after connecting is sent')
  t.equal(fresh.json(0).data.user_id, live.user.id)
})

t.test('a ticket opens one stream, once, within its lifetime; nothing else opens one', async (t) => {
  const { b, appA, port } = await twoProcesses(t, { SSE_TICKET_TTL_SECONDS: '1' })
  const admin = await adminSession(b.app, b.runtime)

  const tk = await ticket(b.app, admin.access_token)
  const redis = new Redis(TEST_REDIS_URL)
  t.teardown(() => redis.disconnect())
  const ttl = await redis.pttl(ticketKey(b.runtime.config.redisPrefix, tk))
  t.ok(ttl > 0 && ttl <= 30_000, `stored with a 30 s expiry (pttl ${ttl})`)
  t.equal(
    await redis.get(`${b.runtime.config.redisPrefix}:sse-ticket:${tk}`),
    null,
    'the ticket itself is not a key: only its hash is',
  )
  const once = await stream(port, tk)
  t.equal(once.status, 200)
  once.close()
  const twice = await stream(port, tk)
  t.equal(twice.status, 401, 'a second use is refused')
  t.equal(JSON.parse(twice.body).code, 'unauthorized')

  const short = await ticket(appA, admin.access_token)
  await sleep(1300)
  t.equal((await stream(port, short)).status, 401, 'an expired ticket is refused')
  t.equal((await stream(port, 'A'.repeat(43))).status, 401, 'an unknown ticket is refused')
  t.equal((await stream(port, 'short')).status, 400, 'a malformed ticket is a validation error')
  t.equal(
    (await SseConnection.open(port, `/api/notifications/stream?access_token=${admin.access_token}`)).status,
    400,
    'an access token in the URL is refused, not used',
  )
  t.equal(
    (await SseConnection.open(port, '/api/notifications/stream', bearer(admin.access_token))).status,
    400,
    'a bearer header is no ticket',
  )
  t.equal(
    (await stream(port, await ticket(appA, admin.access_token), { 'last-event-id': 'x' })).status,
    400,
    'a Last-Event-ID that is not ours is refused',
  )
  t.equal(
    (await appA.inject({ method: 'POST', url: '/api/notifications/stream-ticket' })).statusCode,
    401,
    'a ticket needs a signed-in member',
  )
})

t.test('closing the app ends open streams at once, so shutdown never hangs on them', async (t) => {
  const { b, appA, port } = await twoProcesses(t)
  const admin = await adminSession(b.app, b.runtime)
  const conns = await Promise.all([0, 1, 2].map(async () => stream(port, await ticket(b.app, admin.access_token))))
  t.ok(conns.every((c) => c.status === 200))
  const started = Date.now()
  const closed = await Promise.race([appA.close().then(() => 'closed'), sleep(3000).then(() => 'hung')])
  t.equal(closed, 'closed', `app.close() resolved (${Date.now() - started} ms)`)
  t.ok(Date.now() - started < 2000, 'promptly')
  await sleep(50)
  t.ok(
    conns.every((c) => c.ended),
    'every client saw its stream end',
  )
})

t.test('on embedded PGlite without Redis, one process streams with in-memory tickets', async (t) => {
  const { app, runtime } = await testApp(t, {
    database: 'pglite',
    redis: false,
    env: { ...NO_LIMITS, SSE_TICKET_TTL_SECONDS: '4' },
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const admin = await adminSession(app, runtime)
  const tk = await ticket(app, admin.access_token)
  const conn = await stream(port, tk)
  t.teardown(() => conn.close())
  t.equal(conn.status, 200)
  t.equal((await stream(port, tk)).status, 401, 'single use without Redis too')
  const s = await signup(app)
  await conn.received(1, 10_000)
  t.equal(conn.json(0).data.user_id, s.user.id, 'PGlite’s own LISTEN wakes the stream')
  const expiring = await ticket(app, admin.access_token)
  await sleep(4300)
  t.equal((await stream(port, expiring)).status, 401, 'in-memory tickets expire too')
})
