import t from 'tap'
import { Redis } from 'ioredis'
import { createEvent, issueQr, mark, students } from '../helpers/attendance'
import { eventually } from '../helpers/eventually'
import { adminSession, bearer, login, PASSWORD, signup, uniqueEmail } from '../helpers/identity'
import { PrivateRedis } from '../helpers/redis-server'
import { testApp } from '../helpers/runtime'
import { createRedisPrefix } from '../helpers/services'

/**
 * Redis holds nothing the service cannot do without for a while: rate limit
 * windows, stream tickets, read-your-writes positions and the expiry jobs. A
 * Redis that stops answering must cost requests neither a 500 nor seconds of
 * retries, and a balancer must keep sending them (/ready: degraded, 200).
 */
t.test('Redis killed: signup, login and mark answer at once, /ready says degraded; back: shared again', async (t) => {
  const redis = await PrivateRedis.start(t)
  const prefix = createRedisPrefix(t)
  const { app, runtime } = await testApp(t, { env: { REDIS_URL: redis.url, REDIS_PREFIX: prefix } })
  const admin = await adminSession(app, runtime)
  const [student] = await students(app, runtime, admin, 1)
  const event = await createEvent(app, admin)
  const qr = await issueQr(app, admin, event.id)
  const ready = async () => {
    const res = await app.inject({ method: 'GET', url: '/ready' })
    return { status: res.statusCode, body: res.json() as { status: string; dependencies: Record<string, string> } }
  }
  t.same((await ready()).body.status, 'ready')

  await redis.stop()
  const timed = async <T>(fn: () => Promise<T>) => {
    const at = Date.now()
    const value = await fn()
    return { value, ms: Date.now() - at }
  }
  const s = await timed(() => signup(app))
  const l = await timed(() => login(app, student!.email))
  const m = await timed(() => mark(app, student!, qr.payload))
  t.equal(m.value.statusCode, 200, m.value.statusCode === 200 ? 'the mark is recorded' : `the mark: ${m.value.body}`)
  // ioredis's defaults retried each command through reconnections: 2.4–3.9 s, then a 500
  for (const [what, ms] of [
    ['signup', s.ms],
    ['login', l.ms],
    ['mark', m.ms],
  ] as const)
    t.ok(ms < 2000, `${what} answered in ${ms} ms without Redis`)

  const during = await ready()
  t.equal(during.status, 200, 'a balancer keeps this process')
  t.same(during.body, {
    status: 'degraded',
    dependencies: { database: 'up', event_store: 'up', redis: 'down' },
  })

  // limits still hold, counted in this process
  const from = { remoteAddress: '198.51.100.23' }
  const signups = []
  for (let i = 0; i < 11; i++)
    signups.push(
      (
        await app.inject({
          method: 'POST',
          url: '/api/auth/signup',
          ...from,
          payload: { email: uniqueEmail(), password: PASSWORD, full_name: 'Limited' },
        })
      ).statusCode,
    )
  t.same(signups, [...Array(10).fill(200), 429], 'the 11th signup from one IP is refused (limit 10 per window)')

  // a stream ticket must be seen by every API process: nothing stands in, a clear 503
  const ticket = await app.inject({
    method: 'POST',
    url: '/api/notifications/stream-ticket',
    headers: bearer(student!.access_token),
  })
  t.equal(ticket.statusCode, 503)
  t.equal(ticket.json().code, 'unavailable')

  const counted = await runtime.metrics.registry.getSingleMetricAsString('redis_unavailable_total')
  t.match(counted, /redis_unavailable_total\{use="rate_limit",outcome="fallback"\} \d+/)
  t.match(counted, /redis_unavailable_total\{use="stream_tickets",outcome="refused"\} 1/)

  await redis.resume()
  const probe = new Redis(redis.url)
  t.teardown(() => probe.disconnect())
  // the windows are shared again once the client has reconnected
  await eventually(
    async () => {
      await login(app, student!.email)
      return (await probe.keys(`${prefix}:rl:*`)).length > 0
    },
    15_000,
    100,
  )
  t.equal((await ready()).body.status, 'ready')
  const again = await app.inject({
    method: 'POST',
    url: '/api/notifications/stream-ticket',
    headers: bearer(student!.access_token),
  })
  t.equal(again.statusCode, 200, 'stream tickets are issued again')
})

t.test('an expiry scheduled while Redis is down runs once it is back', async (t) => {
  const redis = await PrivateRedis.start(t)
  // the sweep would expire it too; an hour's sweep leaves only the job to do it here
  const { app, runtime } = await testApp(t, {
    env: { REDIS_URL: redis.url, APPROVAL_TIMEOUT_MINUTES: '0.01', APPROVAL_SWEEP_SECONDS: '3600' },
  })
  await redis.stop()
  const s = await signup(app)
  const status = async () =>
    (
      await runtime.db.kysely
        .selectFrom('approval_requests')
        .select('status')
        .where('id', '=', s.approval_request.id)
        .executeTakeFirst()
    )?.status
  await eventually(async () => (await status()) === 'pending')
  // past its deadline and still pending: nothing could schedule the job
  await new Promise((r) => setTimeout(r, 1500))
  t.equal(await status(), 'pending')
  await redis.resume()
  await eventually(async () => (await status()) === 'expired', 30_000, 100)
  t.pass('expired by the job once Redis answered again')
})
