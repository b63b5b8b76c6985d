import type { AddressInfo } from 'node:net'
import t from 'tap'
import { buildApp } from '../../../src/api/app'
import type { App } from '../../../src/api/types'
import { adminSession, bearer } from '../../helpers/identity'
import { testApp, testRuntime } from '../../helpers/runtime'
import { SseConnection } from '../../helpers/sse'
import { eventually } from '../../helpers/eventually'

/**
 * Each open stream holds a socket and a place in the hub, and each ticket a
 * key: a member gets a few of each, not as many as they can ask for at once
 * (SSE_MAX_TICKETS_PER_USER, SSE_MAX_STREAMS_PER_USER; docs/notifications.md).
 */
const NO_LIMITS = { RATE_LIMIT_ENABLED: 'false' }

const askTicket = (app: App, token: string) =>
  app.inject({ method: 'POST', url: '/api/notifications/stream-ticket', headers: bearer(token) })

t.test('tickets: many asked at once through two processes, exactly the cap is issued', async (t) => {
  const a = await testApp(t, { env: { ...NO_LIMITS, SSE_MAX_TICKETS_PER_USER: '4' } })
  const runtimeB = await testRuntime(t, {
    role: 'api',
    databaseUrl: a.runtime.config.databaseUrl,
    redisPrefix: a.runtime.config.redisPrefix,
    env: { ...NO_LIMITS, SSE_MAX_TICKETS_PER_USER: '4' },
  })
  const appB = await buildApp(runtimeB)
  t.teardown(() => appB.close())
  const admin = await adminSession(a.app, a.runtime)
  const other = await adminSession(a.app, a.runtime)

  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) => askTicket(i % 2 ? appB : a.app, admin.access_token)),
  )
  const winners = answers.filter((r) => r.statusCode === 200)
  const refused = answers.filter((r) => r.statusCode === 429)
  t.equal(winners.length, 4, 'four winners, whichever process they asked')
  t.equal(refused.length, 36, 'every other one a 429')
  t.equal(new Set(winners.map((r) => r.json().ticket)).size, 4, 'four distinct tickets')
  for (const r of refused.slice(0, 3)) {
    t.equal(r.json().code, 'too_many_stream_tickets', 'with a code')
    t.match(r.json().message, /ticket/, 'and a detail')
    t.ok(Number(r.headers['retry-after']) >= 1, 'and when to try again')
  }
  t.equal((await askTicket(appB, other.access_token)).statusCode, 200, 'another member is not held back')

  // a redeemed ticket no longer counts
  await a.app.listen({ port: 0, host: '127.0.0.1' })
  const port = (a.app.server.address() as AddressInfo).port
  const conn = await SseConnection.open(port, `/api/notifications/stream?ticket=${winners[0]!.json().ticket}`)
  t.teardown(() => conn.close())
  t.equal(conn.status, 200)
  t.equal((await askTicket(a.app, admin.access_token)).statusCode, 200, 'one more once one was used')
  t.equal((await askTicket(a.app, admin.access_token)).statusCode, 429, 'and no more')
})

t.test('tickets expire out of the count (in memory, without Redis)', async (t) => {
  const { app, runtime } = await testApp(t, {
    redis: false,
    env: { ...NO_LIMITS, SSE_MAX_TICKETS_PER_USER: '2', SSE_TICKET_TTL_SECONDS: '1' },
  })
  const admin = await adminSession(app, runtime)
  const answers = await Promise.all(Array.from({ length: 10 }, () => askTicket(app, admin.access_token)))
  t.equal(answers.filter((r) => r.statusCode === 200).length, 2, 'the cap holds in memory too')
  await eventually(async () => (await askTicket(app, admin.access_token)).statusCode === 200, 3000)
  t.pass('a ticket again once the earlier ones expired')
})

t.test('streams: beyond the cap a new stream is a 429; closing one makes room', async (t) => {
  const { app, runtime } = await testApp(t, {
    env: { ...NO_LIMITS, SSE_MAX_STREAMS_PER_USER: '3', SSE_MAX_TICKETS_PER_USER: '10' },
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const admin = await adminSession(app, runtime)
  const tickets = await Promise.all(
    Array.from({ length: 6 }, async () => (await askTicket(app, admin.access_token)).json().ticket as string),
  )
  const conns = await Promise.all(
    tickets.map((tk) => SseConnection.open(port, `/api/notifications/stream?ticket=${tk}`)),
  )
  t.teardown(() => conns.forEach((c) => c.close()))
  const open = conns.filter((c) => c.status === 200)
  const refused = conns.filter((c) => c.status === 429)
  t.equal(open.length, 3, 'three streams open')
  t.equal(refused.length, 3, 'the others refused')
  t.equal(JSON.parse(refused[0]!.body).code, 'too_many_streams')
  t.match(JSON.parse(refused[0]!.body).message, /stream/)

  open[0]!.close()
  await eventually(async () => {
    const tk = (await askTicket(app, admin.access_token)).json().ticket as string
    const again = await SseConnection.open(port, `/api/notifications/stream?ticket=${tk}`)
    t.teardown(() => again.close())
    return again.status === 200
  }, 3000)
  t.pass('a closed stream makes room for a new one')
})
