import { randomUUID } from 'node:crypto'
import type { RouteOptions } from 'fastify'
import t, { type Test } from 'tap'
import { BODY_LIMIT, buildApp } from '../../src/api/app'
import type { Access } from '../../src/api/plugins/auth'
import type { StoredEvent } from '../../src/store/event-store'
import { adminSession, bearer, login, member, PASSWORD, projected, signup, uniqueEmail } from '../helpers/identity'
import { allEvents } from '../helpers/events'
import { testRuntime } from '../helpers/runtime'

/**
 * Bad input, route by route: whatever a client sends, the answer is a 4xx with
 * its code, never a 5xx, and nothing already stored is lost or changed. The
 * generic checks walk the app's route table, so routes added later are covered.
 */
interface ApiRoute {
  method: string
  url: string
  access: Access
  bodyLimit: number | undefined
  /** the body schema's own properties, when the route declares a body */
  bodyKeys: string[] | undefined
  paramKeys: string[]
  queryKeys: string[]
  /** an upload: reads multipart forms (its schema says it consumes them) */
  multipart: boolean
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])
/** what a refused request may still append: the record that it was refused (LoginFailed, AccessDenied, AttendanceRejected…) */
const REFUSAL_RECORD = /(Failed|Denied|Rejected)$/
/** request ids of fuzz requests that happened to be valid and were accepted */
const fuzzAccepted = new Set<string>()
const AUTH_LIMIT = 16 * 1024
const JSON_TYPE = { 'content-type': 'application/json' }

const keysOf = (schema: unknown): string[] =>
  Object.keys((schema as { properties?: object } | undefined)?.properties ?? {})

function apiRoutes(collected: RouteOptions[]): ApiRoute[] {
  return collected
    .flatMap((r) =>
      (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({
        method: String(method),
        url: r.url,
        access: r.config?.access ?? 'public',
        bodyLimit: r.bodyLimit,
        bodyKeys: r.schema?.body ? keysOf(r.schema.body) : undefined,
        paramKeys: keysOf(r.schema?.params),
        queryKeys: keysOf(r.schema?.querystring),
        multipart: ((r.schema as { consumes?: string[] } | undefined)?.consumes ?? []).includes('multipart/form-data'),
      })),
    )
    .filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD')
}

const fill = (url: string, value = () => randomUUID() as string) =>
  url.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, () => value())

const fingerprint = (events: StoredEvent[]) =>
  events.map((e) => JSON.stringify([e.id, e.stream, String(e.revision), e.type, e.data, e.metadata]))

/** A seeded PRNG (mulberry32), so a failing fuzz run can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

t.test('bad input: always a 4xx with its code, never a 5xx, and nothing stored is lost or changed', async (t) => {
  const runtime = await testRuntime(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const collected: RouteOptions[] = []
  const app = await buildApp(runtime, { onRoute: (r) => collected.push(r) })
  t.teardown(() => app.close())
  await app.ready()
  const routes = apiRoutes(collected)
  const bodyRoutes = routes.filter((r) => BODY_METHODS.has(r.method))
  t.ok(
    bodyRoutes.some((r) => r.url === '/api/auth/signup') && bodyRoutes.some((r) => r.url.startsWith('/api/admin/')),
    `the body routes were collected (${bodyRoutes.length})`,
  )

  const admin = await adminSession(app, runtime)
  const student = await member(app, runtime, admin, 'student')
  const pending = await signup(app)
  await projected(runtime, pending.approval_request.id)
  const as = (access: Access): Record<string, string> =>
    access === 'public' ? {} : access === 'admin' ? bearer(admin.access_token) : bearer(student.access_token)

  /** one request; every answer must be a 4xx (or the success the route gives) with the error shape */
  async function send(
    t: Test,
    what: string,
    opts: { method: string; url: string; access: Access; headers?: Record<string, string>; payload?: string },
  ) {
    const res = await app.inject({
      method: opts.method as 'POST',
      url: opts.url,
      headers: { ...as(opts.access), ...opts.headers },
      ...(opts.payload === undefined ? {} : { payload: opts.payload }),
    })
    if (res.statusCode >= 500) t.fail(`${what}: ${res.statusCode} ${res.body.slice(0, 200)}`)
    let code: string | undefined
    try {
      code = (res.json() as { code?: string }).code
    } catch {
      code = undefined
    }
    return { status: res.statusCode, code, res }
  }
  async function expectRefused(t: Test, what: string, opts: Parameters<typeof send>[2], status: number, code: string) {
    const r = await send(t, what, opts)
    t.same({ status: r.status, code: r.code }, { status, code }, what)
    return r
  }

  const before = fingerprint(await allEvents(runtime))
  const studentStream = fingerprint(await runtime.store.readStream(`user-${student.user.id}`))

  await t.test('every route that takes a body', async (t) => {
    for (const route of bodyRoutes) {
      const base = { method: route.method, url: fill(route.url), access: route.access }
      const name = `${route.method} ${route.url}`
      // one route's checks at once: independent requests, and the file stays fast
      const checks: Promise<unknown>[] = []
      checks.push(
        expectRefused(
          t,
          `${name}: malformed JSON`,
          { ...base, headers: JSON_TYPE, payload: '{"email": "a@b.org",' },
          400,
          'invalid_json',
        ),
      )
      checks.push(
        expectRefused(
          t,
          `${name}: a single quote`,
          { ...base, headers: JSON_TYPE, payload: "{'a': 1}" },
          400,
          'invalid_json',
        ),
      )
      checks.push(
        expectRefused(
          t,
          `${name}: an empty body declared JSON`,
          { ...base, headers: JSON_TYPE, payload: '' },
          400,
          'invalid_json',
        ),
      )
      checks.push(
        expectRefused(
          t,
          `${name}: __proto__ in the body`,
          { ...base, headers: JSON_TYPE, payload: '{"__proto__": {"role": "admin"}}' },
          400,
          'invalid_json',
        ),
      )
      checks.push(
        expectRefused(
          t,
          `${name}: constructor.prototype in the body`,
          { ...base, headers: JSON_TYPE, payload: '{"constructor": {"prototype": {"role": "admin"}}}' },
          400,
          'invalid_json',
        ),
      )
      if (route.bodyKeys) {
        for (const payload of ['[]', '[{}]', '"a string"', '42', '1e400', 'true', 'null']) {
          checks.push(
            expectRefused(
              t,
              `${name}: the JSON value ${payload}`,
              { ...base, headers: JSON_TYPE, payload },
              400,
              'validation_error',
            ),
          )
        }
        const depth = Math.floor(((route.bodyLimit ?? BODY_LIMIT) - 100) / 6)
        // arrays: nesting under an unknown key would just be dropped (unknown keys are ignored)
        const deep = `${'['.repeat(depth)}1${']'.repeat(depth)}`
        checks.push(
          expectRefused(
            t,
            `${name}: ${depth} levels of nesting`,
            { ...base, headers: JSON_TYPE, payload: deep },
            400,
            'validation_error',
          ),
        )
      }
      // login alone reads the club's forms: there, this body lacks a password (or is no multipart body)
      const forms = route.url === '/api/auth/login'
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/jsonx',
        'text/json',
      ]) {
        // an upload reads multipart too (resources): there, this body is no multipart form
        const form = (forms && /form/.test(type)) || (route.multipart && type.startsWith('multipart'))
        checks.push(
          expectRefused(
            t,
            `${name}: content type ${type}`,
            { ...base, headers: { 'content-type': type }, payload: 'email=a%40b.org' },
            form ? 400 : 415,
            form ? (type.startsWith('multipart') ? 'invalid_form' : 'validation_error') : 'unsupported_media_type',
          ),
        )
      }
      const limit = route.bodyLimit ?? BODY_LIMIT
      if (route.url.startsWith('/api/auth/')) {
        t.ok(limit <= AUTH_LIMIT, `${name}: an auth route takes at most 16 KiB (${limit})`)
        checks.push(
          expectRefused(
            t,
            `${name}: 17 KiB`,
            { ...base, headers: JSON_TYPE, payload: JSON.stringify({ pad: 'x'.repeat(17 * 1024) }) },
            413,
            'payload_too_large',
          ),
        )
        checks.push(
          send(t, `${name}: 15 KiB`, {
            ...base,
            headers: JSON_TYPE,
            payload: JSON.stringify({ pad: 'x'.repeat(15 * 1024) }),
          }).then((under) => t.not(under.status, 413, `${name}: 15 KiB is under the limit`)),
        )
      } else {
        t.equal(limit, BODY_LIMIT, `${name}: the app-wide limit`)
      }
      checks.push(
        expectRefused(
          t,
          `${name}: over the limit (${limit} bytes)`,
          { ...base, headers: JSON_TYPE, payload: JSON.stringify({ pad: 'x'.repeat(limit) }) },
          413,
          'payload_too_large',
        ),
      )
      checks.push(
        expectRefused(
          t,
          `${name}: 1 MiB`,
          { ...base, headers: JSON_TYPE, payload: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) },
          413,
          'payload_too_large',
        ),
      )
      await Promise.all(checks)
    }
  })

  await t.test(
    'every :param that is not a uuid, and every bad cursor or limit, is a 400 validation_error',
    async (t) => {
      for (const route of routes.filter((r) => r.paramKeys.length > 0)) {
        for (const bad of ['not-a-uuid', '1', `${randomUUID()}x`, '%00', `${randomUUID().slice(0, 35)}g`]) {
          const opts = {
            method: route.method,
            url: fill(route.url, () => bad),
            access: route.access,
            ...(BODY_METHODS.has(route.method) ? { headers: JSON_TYPE, payload: '{}' } : {}),
          }
          await expectRefused(t, `${route.method} ${route.url} with :id ${bad}`, opts, 400, 'validation_error')
        }
      }
      const garbage = [
        'garbage!',
        'x'.repeat(201),
        Buffer.from('["not-a-date","not-a-uuid"]').toString('base64url'),
        Buffer.from('[1,2]').toString('base64url'),
        Buffer.from(`["2025-01-01T00:00:00Z","${'f'.repeat(36)}"]`).toString('base64url'),
        Buffer.from('{}').toString('base64url'),
      ]
      for (const route of routes.filter((r) => r.method === 'GET')) {
        const url = fill(route.url)
        // a stray parameter is ignored (the club's clients send some), so none is sent here
        const q: string[] = []
        if (route.queryKeys.includes('cursor')) q.push(...garbage.map((c) => `cursor=${encodeURIComponent(c)}`))
        if (route.queryKeys.includes('limit'))
          q.push('limit=0', 'limit=1000', 'limit=-1', 'limit=1.5', 'limit=abc', 'limit=1e400')
        if (route.queryKeys.length === 0) continue
        for (const query of q)
          await expectRefused(
            t,
            `GET ${route.url}?${query}`,
            { method: 'GET', url: `${url}?${query}`, access: route.access },
            400,
            'validation_error',
          )
      }
      for (const query of [
        'status=bogus',
        'status=',
        'status=pending&status=approved',
        'limit=0',
        'limit=1000',
        'cursor=garbage',
      ]) {
        await expectRefused(
          t,
          `GET /api/admin/approval-requests?${query}`,
          { method: 'GET', url: `/api/admin/approval-requests?${query}`, access: 'admin' },
          400,
          'validation_error',
        )
      }
    },
  )

  await t.test('identity bodies: missing fields and wrong types are 400 validation_error', async (t) => {
    const ok = { email: uniqueEmail('bad'), password: PASSWORD, full_name: 'Ada Lovelace' }
    const cases: [string, string, Access, unknown][] = [
      ['signup without email', '/api/auth/signup', 'public', { password: ok.password, full_name: ok.full_name }],
      ['signup without password', '/api/auth/signup', 'public', { email: ok.email, full_name: ok.full_name }],
      ['signup without full_name', '/api/auth/signup', 'public', { email: ok.email, password: ok.password }],
      ['signup with a number for email', '/api/auth/signup', 'public', { ...ok, email: 42 }],
      ['signup with an array for password', '/api/auth/signup', 'public', { ...ok, password: [PASSWORD] }],
      ['signup with a null full_name', '/api/auth/signup', 'public', { ...ok, full_name: null }],
      ['signup with an object for full_name', '/api/auth/signup', 'public', { ...ok, full_name: { first: 'Ada' } }],
      ['signup with an empty email', '/api/auth/signup', 'public', { ...ok, email: '' }],
      ['signup with a 201-character full_name', '/api/auth/signup', 'public', { ...ok, full_name: 'x'.repeat(201) }],
      ['login without password', '/api/auth/login', 'public', { email: student.email }],
      ['login with a number for email', '/api/auth/login', 'public', { email: 42, password: PASSWORD }],
      ['login with an array for password', '/api/auth/login', 'public', { email: student.email, password: [PASSWORD] }],
      ['login with a null password', '/api/auth/login', 'public', { email: student.email, password: null }],
      ['refresh with nothing', '/api/auth/refresh', 'public', {}],
      ['refresh with a number', '/api/auth/refresh', 'public', { refresh_token: 42 }],
      ['logout with nothing', '/api/auth/logout', 'user', {}],
      ['logout with an array', '/api/auth/logout', 'user', { refresh_token: [student.refresh_token] }],
      ['decide without a decision', `/api/admin/approval-requests/${pending.approval_request.id}/decide`, 'admin', {}],
      [
        'decide with decision maybe',
        `/api/admin/approval-requests/${pending.approval_request.id}/decide`,
        'admin',
        { decision: 'maybe' },
      ],
      [
        'decide with role superadmin',
        `/api/admin/approval-requests/${pending.approval_request.id}/decide`,
        'admin',
        { decision: 'approve', role: 'superadmin' },
      ],
      [
        'decide with a number for reason',
        `/api/admin/approval-requests/${pending.approval_request.id}/decide`,
        'admin',
        { decision: 'reject', reason: 42 },
      ],
      [
        'decide with a 501-character reason',
        `/api/admin/approval-requests/${pending.approval_request.id}/decide`,
        'admin',
        { decision: 'reject', reason: 'x'.repeat(501) },
      ],
      ['role change to root', `/api/admin/users/${student.user.id}/role`, 'admin', { role: 'root' }],
      [
        'deactivate with a number for reason',
        `/api/admin/users/${student.user.id}/deactivate`,
        'admin',
        { reason: 42 },
      ],
    ]
    for (const [what, url, access, body] of cases) {
      await expectRefused(
        t,
        what,
        { method: 'POST', url, access, headers: JSON_TYPE, payload: JSON.stringify(body) },
        400,
        'validation_error',
      )
    }
  })

  await t.test('identity rules the domain applies: 73-byte passwords and control characters are refused', async (t) => {
    const body = (over: object) =>
      JSON.stringify({ email: uniqueEmail('bad'), password: PASSWORD, full_name: 'Ada Lovelace', ...over })
    const signupReq = (over: object) => ({
      method: 'POST',
      url: '/api/auth/signup',
      access: 'public' as Access,
      headers: JSON_TYPE,
      payload: body(over),
    })
    const tooLong = 'é'.repeat(36) + 'x'
    t.equal(Buffer.byteLength(tooLong), 73)
    const r = await expectRefused(
      t,
      'a 73-byte password (36 × é, then x)',
      signupReq({ password: tooLong }),
      400,
      'weak_password',
    )
    t.equal(r.res.json().problem, 'too_long', 'refused as too long, never truncated')
    await expectRefused(
      t,
      'a 100-byte password',
      signupReq({ password: 'Correct-Horse-7-'.repeat(7) }),
      400,
      'weak_password',
    )
    for (const full_name of [
      'Ada\u0000Lovelace',
      'Ada\r\nLovelace',
      '\u0000Ada',
      'Ada\u0007',
      'Ada\u001bLovelace',
      'Ada\u007fLovelace',
      'Ada\u0085Lovelace',
      '   ',
    ]) {
      await expectRefused(
        t,
        `full_name ${JSON.stringify(full_name)}`,
        signupReq({ full_name }),
        400,
        'validation_error',
      )
    }
    await expectRefused(t, 'an email that is not one', signupReq({ email: 'ada at club' }), 400, 'invalid_email')
    await expectRefused(
      t,
      'an email with a control character',
      signupReq({ email: 'ada\r\n@club.example.org' }),
      400,
      'invalid_email',
    )
  })

  await t.test('300 random bodies across every body route: never a 5xx', async (t) => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31)
    t.comment(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`)
    const rnd = prng(seed)
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
    const strings = [
      '',
      ' ',
      'a@b',
      'ada@club.example.org',
      'é'.repeat(40),
      '\u0000',
      '\r\n',
      '\ud800',
      '🦄'.repeat(30),
      'Ω≈ç√∫',
      '\u202eevil',
      '<script>',
      "' OR 1=1 --",
      'null',
      '1e400',
      '../../etc/passwd',
      '%00',
      'x'.repeat(3000),
      '2025-13-45T99:99:99Z',
      randomUUID(),
    ]
    const numbers = [0, -0, 1, -1, 0.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, Number.MIN_VALUE, 4294967297]
    const value = (depth: number): unknown => {
      const r = rnd()
      if (depth > 3 || r < 0.3)
        return pick(strings) + (rnd() < 0.3 ? String.fromCodePoint(Math.floor(rnd() * 0x110000)) : '')
      if (r < 0.5) return pick(numbers)
      if (r < 0.6) return pick([true, false, null])
      if (r < 0.75) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1))
      return object(depth + 1, [])
    }
    const object = (depth: number, keys: string[]): Record<string, unknown> => {
      const o: Record<string, unknown> = {}
      for (const k of keys) if (rnd() < 0.8) o[k] = value(depth)
      if (rnd() < 0.3)
        o[pick(['role', 'status', 'id', 'is_admin', 'x', '', 'constructor', '__proto__'.toUpperCase()])] = value(depth)
      return o
    }
    const targets = bodyRoutes.filter((r) => r.bodyKeys)
    const raw = [
      '{"email": 1e400, "password": -0}',
      '{"limit": 123456789012345678901234567890}',
      '[' + '1,'.repeat(1000) + '1]',
      '"\\ud800"',
      '{"a": "\\u0000"}',
      '{"a":1,"a":2}',
      '\ufeff{}',
    ]
    let n = 0
    for (let i = 0; i < 300; i++) {
      const route = targets[i % targets.length]!
      const r = rnd()
      const payload = r < 0.05 ? pick(raw) : JSON.stringify(r < 0.7 ? object(0, route.bodyKeys ?? []) : value(0))
      const res = await send(t, `fuzz #${i} ${route.method} ${route.url} ${payload.slice(0, 120)}`, {
        method: route.method,
        url: fill(route.url),
        access: route.access,
        headers: JSON_TYPE,
        payload,
      })
      if (res.status < 500) n++
      // a random body is now and then a valid one (a signup with a uuid for a password): what it stored is no refusal
      if (res.status < 400) fuzzAccepted.add(String(res.res.headers['x-request-id']))
    }
    t.equal(n, 300, 'no response was a 5xx')
  })

  await t.test('nothing already stored was lost or changed; the member still signs in', async (t) => {
    const all = await allEvents(runtime)
    t.same(
      fingerprint(all).slice(0, before.length),
      before,
      'every event stored before is still there, unchanged and in order',
    )
    const refusedOnly = (events: StoredEvent[]) =>
      events.filter((e) => !fuzzAccepted.has(String(e.metadata.request_id)))
    const added = refusedOnly(all.slice(before.length))
    t.same(
      [...new Set(added.map((e) => e.type))].filter((type) => !REFUSAL_RECORD.test(type)),
      [],
      'the refused requests appended nothing but records of their refusal',
    )
    t.same(
      // the fuzz signs in as this member: a random body that is a valid profile edit (a bio of "\u202eevil")
      // is stored as any edit is, and is no change by a refused request
      fingerprint(refusedOnly(await runtime.store.readStream(`user-${student.user.id}`))),
      studentStream,
      'the member’s stream is unchanged by every refused request',
    )
    const again = await login(app, student.email)
    t.equal(again.user.role, 'student')
    const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(again.access_token) })
    t.equal(me.statusCode, 200)
    const list = await app.inject({
      method: 'GET',
      url: '/api/admin/approval-requests?status=pending',
      headers: bearer(admin.access_token),
    })
    t.ok(
      list.json().items.some((r: { id: string }) => r.id === pending.approval_request.id),
      'the pending request is still pending',
    )
  })

  await t.test(
    'fields a client adds are ignored, never assigned: a signup with role admin makes no admin',
    async (t) => {
      const email = uniqueEmail('sneaky')
      const smuggled = { email, password: PASSWORD, full_name: 'Mallory', role: 'admin', status: 'approved' }
      const first = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: smuggled })
      t.equal(first.statusCode, 200, 'the signup itself is fine: the extra keys are dropped')
      const s = {
        email,
        ...(first.json() as { user: { id: string; status: string }; approval_request: { id: string } }),
      }
      t.equal(s.user.status, 'pending', 'the signup is pending')
      const events = await runtime.store.readStream(`user-${s.user.id}`)
      t.same(
        events.map((e) => e.type),
        ['SignupRequested'],
        'only its request: no role, no status of its own',
      )
      t.notOk(JSON.stringify(events[0]?.data).includes('admin'), 'no role was stored')
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: PASSWORD } })
      t.equal(res.json().code, 'approval_pending', 'cannot sign in before approval')
      await projected(runtime, s.approval_request.id)
      const decided = await app.inject({
        method: 'POST',
        url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
        headers: bearer(admin.access_token),
        payload: { decision: 'approve' },
      })
      t.equal(decided.json().approval_request.role, 'student', 'approved without a role: a student')
      const tokens = await login(app, email)
      t.equal(tokens.user.role, 'student')
      const adminOnly = await app.inject({
        method: 'GET',
        url: '/api/admin/approval-requests',
        headers: bearer(tokens.access_token),
      })
      t.equal(adminOnly.statusCode, 403)
    },
  )

  await t.test('a 72-byte password works, and its 73-byte extension does not (never truncated)', async (t) => {
    // 36 two-byte letters in no order a guesser would try (a repeated one would be refused as guessable)
    const password = 'ψαωβχγφδυεσζρηπθοιξκνλμτжаклбгзвйдие'
    t.equal(Buffer.byteLength(password), 72)
    const m = await signup(app, uniqueEmail('long'), password)
    await projected(runtime, m.approval_request.id)
    await app.inject({
      method: 'POST',
      url: `/api/admin/approval-requests/${m.approval_request.id}/decide`,
      headers: bearer(admin.access_token),
      payload: { decision: 'approve' },
    })
    t.equal(
      (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: m.email, password } })).statusCode,
      200,
    )
    const longer = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: m.email, password: `${password}x` },
    })
    t.equal(longer.statusCode, 401)
    t.equal(longer.json().code, 'invalid_credentials')
  })
})
