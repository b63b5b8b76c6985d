import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { adminSession, bearer, forgeAccessToken } from '../helpers/identity'
import { testApp } from '../helpers/runtime'

/**
 * Values the schemas let through but PostgreSQL refused, each once a 500: a
 * leap second, year 0, a feed position past bigint, a NUL in a token's claims.
 * Each is now a 4xx with a code and a human message, and the request after it
 * is served as usual.
 */
t.test('values at the edge of what PostgreSQL takes are 4xx, never 500', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const admin = await adminSession(app, runtime)
  const get = (url: string, token = admin.access_token) => app.inject({ method: 'GET', url, headers: bearer(token) })
  const refused = async (t: Test, url: string, status: number, code: string, token?: string) => {
    const res = await get(url, token)
    t.same({ status: res.statusCode, code: res.json().code }, { status, code }, url)
    t.match(res.json().message, /\w/, `${url}: a human message`)
    return res
  }

  await t.test('a leap second in an audit-log filter', async (t) => {
    await refused(t, '/api/admin/audit-logs?from=2016-12-31T23:59:60Z', 400, 'validation_error')
    await refused(t, '/api/admin/audit-logs?to=2016-12-31T23:59:60Z&format=csv', 400, 'validation_error')
    t.equal((await get('/api/admin/audit-logs?from=2016-12-31T23:59:59Z')).statusCode, 200, 'the second before is fine')
  })

  await t.test('year 0 in the analytics summary', async (t) => {
    await refused(t, '/api/admin/analytics/summary?from=0000-01-01', 400, 'validation_error')
    await refused(t, '/api/admin/analytics/summary?from=0000-12-31&to=0001-01-31', 400, 'validation_error')
    t.equal((await get('/api/admin/analytics/summary?from=0001-01-01&to=0001-01-31')).statusCode, 200, 'year 1 is')
    const early = await get('/api/admin/analytics/summary?to=0001-01-05')
    t.same([early.statusCode, early.json().from], [200, '0001-01-01'], 'the default 30 days stop at year 1')
  })

  await t.test('year 0, and an offset JavaScript cannot read, in an audit-log filter', async (t) => {
    await refused(t, '/api/admin/audit-logs?from=0000-01-01T00:00:00Z', 400, 'validation_error')
    await refused(t, '/api/admin/audit-logs?from=0001-01-01T00:00:00%2B01:00', 400, 'validation_error')
    await refused(t, '/api/admin/audit-logs?from=2016-01-01T00:00:00%2B00', 400, 'validation_error')
  })

  await t.test('an auditor feed position past bigint', async (t) => {
    await refused(t, '/api/admin/event-stream?after=1:9223372036854775808', 400, 'validation_error')
    await refused(t, '/api/admin/event-stream?after=18446744073709551616:1', 400, 'validation_error')
    await refused(t, '/api/admin/event-stream?after=99999999999999999999:1', 400, 'validation_error')
    const edge = await get('/api/admin/event-stream?after=18446744073709551615:9223372036854775807')
    t.equal(edge.statusCode, 200, 'the largest position there can be is one: nothing after it')
    t.equal(edge.body, '')
  })

  await t.test('an access token whose claims hold a NUL byte (or are not ours) is a 401', async (t) => {
    const forge = (claims: object) => forgeAccessToken({ sub: admin.user.id, ...claims })
    t.equal((await get('/api/auth/me', forge({}))).statusCode, 200, 'the forged token itself is valid')
    for (const claims of [
      { sub: 'a\u0000b' },
      { sub: `${admin.user.id}\u0000` },
      { sub: 'not-a-uuid' },
      { sid: '\u0000' },
      { jti: 'x\u0000' },
    ]) {
      await refused(t, '/api/auth/me', 401, 'unauthorized', forge(claims))
      await refused(t, '/api/admin/audit-logs', 401, 'unauthorized', forge(claims))
    }
  })

  await t.test('a NUL or a lone surrogate anywhere in the input (PostgreSQL stores neither) is a 400', async (t) => {
    await refused(t, '/api/admin/audit-logs?target_id=a%00b', 400, 'validation_error')
    const replacement = await get(`/api/admin/audit-logs?target_id=${encodeURIComponent('\ufffd🦄')}`)
    t.equal(replacement.statusCode, 200, 'U+FFFD and a surrogate pair are text like any other')
    for (const full_name of ['\ud800 Ada', 'Ada \udfff', 'Ada\u0000']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: {
          email: `edge.${randomUUID().slice(0, 8)}@club.example.org`,
          password: 'Correct-Horse-7-Battery',
          full_name,
        },
      })
      t.same(
        [res.statusCode, res.json().code],
        [400, 'validation_error'],
        `signup with full_name ${JSON.stringify(full_name)}`,
      )
    }
    const key = await app.inject({
      method: 'POST',
      url: '/api/admin/events',
      headers: { ...bearer(admin.access_token), 'content-type': 'application/json' },
      payload: '{"title":"x","starts_at":"2030-01-01T00:00:00Z","ends_at":"2030-01-02T00:00:00Z","\\ud800":1}',
    })
    t.same([key.statusCode, key.json().code], [400, 'validation_error'], 'in a key, too')
  })

  await t.test(
    'the router refuses a malformed escape or an over-long parameter in our words, with a request id',
    async (t) => {
      for (const [url, status, code] of [
        ['/api/events/%ED%A0%80', 400, 'validation_error'],
        ['/api/events/%FF', 400, 'validation_error'],
        [`/api/events/${'a'.repeat(101)}`, 414, 'uri_too_long'],
      ] as const) {
        const res = await refused(t, url, status, code)
        t.equal(res.json().request_id, res.headers['x-request-id'], `${url}: the request id, in the body and a header`)
        t.notOk(res.body.includes(url.slice(12)), `${url}: the path is not echoed`)
      }
    },
  )

  t.equal((await get('/api/auth/me')).statusCode, 200, 'the service still serves')
})
