import { randomUUID } from 'node:crypto'
import t from 'tap'
import { eventually } from '../helpers/eventually'
import { mark } from '../helpers/notifications'
import { testApp } from '../helpers/runtime'

/**
 * /metrics tells whoever reads it the routes, their traffic and timings, and
 * the process' health: it answers only those holding METRICS_TOKEN, and in
 * production never without one (README, Configuration; docs/operations.md §7).
 */
const TOKEN = 'metrics-scraper-token-0123456789abcdef'

t.test('with METRICS_TOKEN, /metrics answers only its bearer', async (t) => {
  const { app } = await testApp(t, { redis: false, env: { METRICS_TOKEN: TOKEN } })
  const get = (authorization?: string) =>
    app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} })

  for (const [what, header] of [
    ['no token', undefined],
    ['a wrong token', `Bearer ${TOKEN.slice(0, -1)}x`],
    ['a longer token', `Bearer ${TOKEN}x`],
    ['the token without the scheme', TOKEN],
  ] as const) {
    const res = await get(header)
    t.equal(res.statusCode, 401, `${what}: 401`)
    t.equal(res.json().code, 'unauthorized', `${what}: with a code`)
    t.notMatch(res.body, /http_request_duration|process_cpu/, `${what}: no metric in the body`)
  }
  const ok = await get(`Bearer ${TOKEN}`)
  t.equal(ok.statusCode, 200, 'the token opens it')
  t.match(ok.body, /process_cpu/)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health stays open to probes')
})

t.test('in production without METRICS_TOKEN, /metrics is closed', async (t) => {
  const { app } = await testApp(t, { redis: false, env: { NODE_ENV: 'production' } })
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'unauthorized')
})

t.test('in development without METRICS_TOKEN, /metrics is open (a local scrape needs no setup)', async (t) => {
  const { app } = await testApp(t, { redis: false })
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200)
})

t.test('a mark whose club event has no row yet: its count is missing, and /metrics says so', async (t) => {
  const { app, runtime } = await testApp(t, { redis: false })
  await mark(runtime, randomUUID(), new Date())
  const missed = /projection_missed_increments_total\{projection="club_events",table="club_events"\} 1\b/
  await eventually(async () => missed.test((await app.inject({ method: 'GET', url: '/metrics' })).body))
  t.pass('counted once, by the club events projection')
})
