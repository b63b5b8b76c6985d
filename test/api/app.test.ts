import t from 'tap'
import { testApp } from '../helpers/runtime'
import { dropDatabase } from '../helpers/services'

t.test('the API skeleton', async (t) => {
  const { app, runtime } = await testApp(t)
  // a route with a body, only for this test: the parsers and limits are app-wide
  app.post('/api/_echo', { bodyLimit: 16 * 1024, config: { access: 'public' } }, async (request) => ({
    got: request.body,
  }))
  app.get('/api/_boom', { config: { access: 'public' } }, async () => {
    throw new Error('secret internals')
  })
  await app.ready()

  await t.test('GET /health answers 200 with security headers and a request id', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/health' })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { status: 'ok' })
    t.ok(res.headers['x-request-id'], 'request id header')
    t.equal(res.headers['x-content-type-options'], 'nosniff')
    t.ok(res.headers['content-security-policy'])
    t.ok(res.headers['strict-transport-security'])
  })

  await t.test('GET /ready reports every dependency', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/ready' })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { status: 'ready', dependencies: { database: 'up', event_store: 'up', redis: 'up' } })
  })

  await t.test('an unknown route is a 404 with the error shape', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/api/nope' })
    t.equal(res.statusCode, 404)
    t.match(res.json(), { statusCode: 404, code: 'route_not_found', message: String })
    t.equal(res.json().request_id, res.headers['x-request-id'])
  })

  await t.test('a safe client request id is echoed, an unsafe one replaced', async (t) => {
    const ok = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } })
    t.equal(ok.headers['x-request-id'], 'abc-123')
    const bad = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a\r\nb<script>' } })
    t.not(bad.headers['x-request-id'], 'a\r\nb<script>')
  })

  await t.test('malformed JSON is a 400 invalid_json', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/_echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    })
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'invalid_json')
  })

  await t.test('a wrong content type is a 415', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/_echo',
      headers: { 'content-type': 'text/plain' },
      payload: 'hi',
    })
    t.equal(res.statusCode, 415)
    t.equal(res.json().code, 'unsupported_media_type')
  })

  await t.test('a body over the limit is a 413', async (t) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/_echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(17 * 1024) }),
    })
    t.equal(res.statusCode, 413)
    t.equal(res.json().code, 'payload_too_large')
  })

  await t.test('a thrown internal error is a 500 whose text is hidden', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/api/_boom' })
    t.equal(res.statusCode, 500)
    t.equal(res.json().code, 'internal_error')
    t.notMatch(res.body, /secret internals/)
  })

  await t.test('GET /docs/json is the OpenAPI document built from the route schemas', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' })
    t.equal(res.statusCode, 200)
    t.equal(res.json().openapi.slice(0, 2), '3.')
    t.ok(res.json().paths['/health'])
    const ui = await app.inject({ method: 'GET', url: '/docs/' })
    t.equal(ui.statusCode, 200)
  })

  await t.test('GET /metrics exposes request durations and append latency', async (t) => {
    await runtime.store.append(
      'metric-probe',
      [{ id: runtime.sources.uuid(), type: 'Probe', data: {}, metadata: {} }],
      { expectedRevision: 'any' },
    )
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    t.equal(res.statusCode, 200)
    t.match(res.body, /http_request_duration_seconds_bucket/)
    t.match(res.body, /eventstore_append_duration_seconds_count\{outcome="ok"\} 1/)
  })
})

t.test('GET /ready: 200 degraded without Redis (the process still serves), naming what is down', async (t) => {
  // role api: no BullMQ queue or worker, whose own retries would outlive the test
  const { app } = await testApp(t, { role: 'api', redis: false, env: { REDIS_URL: 'redis://127.0.0.1:1' } })
  const res = await app.inject({ method: 'GET', url: '/ready' })
  t.equal(res.statusCode, 200, 'a balancer keeps sending requests')
  t.equal(res.json().status, 'degraded')
  t.equal(res.json().dependencies.redis, 'down')
  t.equal(res.json().dependencies.database, 'up')
})

t.test('GET /ready: 503 unavailable when the database is gone', async (t) => {
  const { app, runtime } = await testApp(t, { role: 'api', redis: false })
  t.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200)
  // every connection ends and no new one can be opened
  await dropDatabase(runtime.config.databaseUrl!)
  const res = await app.inject({ method: 'GET', url: '/ready' })
  t.equal(res.statusCode, 503)
  t.equal(res.json().status, 'unavailable')
  t.equal(res.json().dependencies.database, 'down')
})
