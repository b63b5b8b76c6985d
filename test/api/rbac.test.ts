import { randomUUID } from 'node:crypto'
import type { RouteOptions } from 'fastify'
import jwt from 'jsonwebtoken'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/api/app'
import type { Access } from '../../src/api/plugins/auth'
import type { App } from '../../src/api/types'
import { adminSession, bearer, member } from '../helpers/identity'
import { allEvents } from '../helpers/events'
import { TEST_SECRETS, testRuntime } from '../helpers/runtime'

/**
 * The RBAC matrix: every /api route the app registers, whoever adds it, is
 * called by every kind of caller, and the answer must match the access the
 * route declares. A route that declares none fails the test.
 */
interface ApiRoute {
  method: string
  url: string
  access: Access | undefined
}

type Kind = 'invalid' | 'student' | 'admin'
interface Caller {
  name: string
  kind: Kind
  authorization?: string
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])
const ACCESS_LEVELS: readonly Access[] = ['public', 'user', 'student', 'admin']

function apiRoutes(collected: RouteOptions[]): ApiRoute[] {
  return collected
    .flatMap((r) =>
      (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({
        method: String(method),
        url: r.url,
        access: r.config?.access,
      })),
    )
    .filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD')
}

/** A concrete URL: every path parameter a fresh uuid, a wildcard a plain word. */
const fill = (url: string) => url.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, () => randomUUID()).replace(/\*/g, 'x')

const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url')

interface Answer {
  status: number
  code: string | undefined
}

/**
 * Sends one request and reads at most two seconds of the answer, so a route
 * that streams (Server-Sent Events, NDJSON) cannot hang the matrix.
 */
async function send(
  app: App,
  method: string,
  url: string,
  headers: Record<string, string>,
  remoteAddress: string,
): Promise<Answer> {
  const hasBody = BODY_METHODS.has(method)
  const abort = new AbortController()
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: hasBody ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(hasBody ? { payload: '{}' } : {}),
    remoteAddress,
    payloadAsStream: true,
    signal: abort.signal,
  })
  const chunks: Buffer[] = []
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      abort.abort()
      resolve()
    }, 2000)
    const stream = res.stream()
    stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)))
    stream.on('end', () => (clearTimeout(timer), resolve()))
    stream.on('error', () => (clearTimeout(timer), resolve()))
  })
  let code: string | undefined
  try {
    code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code
  } catch {
    code = undefined
  }
  return { status: res.statusCode, code }
}

t.test('the RBAC matrix: every /api route answers every caller as its declared access says', async (t) => {
  const runtime = await testRuntime(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const collected: RouteOptions[] = []
  const app = await buildApp(runtime, { onRoute: (r) => collected.push(r) })
  t.teardown(() => app.close())
  await app.ready()
  const routes = apiRoutes(collected)

  t.ok(routes.length >= 7, `the route table was collected (${routes.length} /api routes)`)
  for (const known of ['POST /api/auth/signup', 'GET /api/auth/me', 'POST /api/admin/approval-requests/:id/decide']) {
    t.ok(
      routes.some((r) => `${r.method} ${r.url}` === known),
      `the table holds ${known}`,
    )
  }
  for (const r of routes)
    t.ok(
      r.access && ACCESS_LEVELS.includes(r.access),
      `${r.method} ${r.url} declares config.access (got ${String(r.access)})`,
    )

  // ---- the callers ----
  const admin = await adminSession(app, runtime)
  const student = await member(app, runtime, admin, 'student')
  const gone = await member(app, runtime, admin, 'admin')
  const deactivate = await app.inject({
    method: 'POST',
    url: `/api/admin/users/${gone.user.id}/deactivate`,
    headers: bearer(admin.access_token),
    payload: {},
  })
  t.equal(deactivate.statusCode, 204, 'one admin is deactivated, keeping an unexpired token')

  const now = Math.floor(Date.now() / 1000)
  const claims = {
    sub: admin.user.id,
    role: 'admin',
    sid: randomUUID(),
    kind: 'access',
    jti: randomUUID(),
    iss: 'dscp',
    aud: 'dscp-api',
    iat: now,
    exp: now + 600,
  }
  const key = TEST_SECRETS.JWT_SECRET
  const invalid: Caller[] = [
    { name: 'no token', kind: 'invalid' },
    {
      name: 'a bad signature',
      kind: 'invalid',
      authorization: `Bearer ${jwt.sign(claims, 'another-secret-that-is-long-enough-0123456789', { algorithm: 'HS256' })}`,
    },
    {
      name: 'an expired token',
      kind: 'invalid',
      authorization: `Bearer ${runtime.identity.tokens.signAccess({ sub: admin.user.id, role: 'admin', sid: randomUUID() }, new Date(Date.now() - 86_400_000)).token}`,
    },
    { name: 'alg none', kind: 'invalid', authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.` },
    {
      name: 'HS512 with the right secret',
      kind: 'invalid',
      authorization: `Bearer ${jwt.sign(claims, key, { algorithm: 'HS512' })}`,
    },
    {
      name: 'no kind claim',
      kind: 'invalid',
      authorization: `Bearer ${jwt.sign({ ...claims, kind: undefined }, key, { algorithm: 'HS256' })}`,
    },
    { name: 'a refresh token as bearer', kind: 'invalid', authorization: `Bearer ${admin.refresh_token}` },
    { name: 'a deactivated user', kind: 'invalid', authorization: `Bearer ${gone.access_token}` },
    {
      name: 'a Basic header',
      kind: 'invalid',
      authorization: `Basic ${Buffer.from(`${admin.user.id}:x`).toString('base64')}`,
    },
  ]
  const valid: Caller[] = [
    { name: 'a student', kind: 'student', authorization: `Bearer ${student.access_token}` },
    { name: 'an admin', kind: 'admin', authorization: `Bearer ${admin.access_token}` },
  ]
  const control = await app.inject({
    method: 'GET',
    url: '/api/auth/me',
    headers: bearer(jwt.sign(claims, key, { algorithm: 'HS256' })),
  })
  t.equal(
    control.statusCode,
    200,
    'the same claims, HS256 with the right key, pass: each forged token differs only by its named flaw',
  )

  /** what each caller must get; `undefined` is "anything but 401 and 403" */
  function expected(access: Access, kind: Kind): 'unauthorized' | 'forbidden' | undefined {
    if (access === 'public') return undefined
    if (kind === 'invalid') return 'unauthorized'
    if (access === 'admin' && kind !== 'admin') return 'forbidden'
    if (access === 'student' && kind !== 'student') return 'forbidden'
    return undefined
  }

  interface Refusal {
    method: string
    url: string
    required: Access
    reason: 'unauthorized' | 'forbidden'
    ip: string
    user_agent: string
  }
  const mustBeRecorded: Refusal[] = []
  let n = 0
  async function matrix(t: Test, callers: Caller[]) {
    for (const route of routes) {
      const access = route.access ?? 'public'
      // the callers of one route at once: independent requests, and the file stays fast
      await Promise.all(
        callers.map(async (caller) => {
          const ip = `198.51.100.${(n++ % 250) + 1}`
          const user_agent = `rbac-matrix/${randomUUID()}`
          const headers: Record<string, string> = { 'user-agent': user_agent }
          if (caller.authorization) headers.authorization = caller.authorization
          const res = await send(app, route.method, fill(route.url), headers, ip)
          const what = `${route.method} ${route.url} (${access}) as ${caller.name}`
          t.ok(res.status < 500, `${what}: never a 5xx (got ${res.status})`)
          const want = expected(access, caller.kind)
          if (want) {
            t.same(res, { status: want === 'unauthorized' ? 401 : 403, code: want }, `${what}: ${want}`)
            if (access === 'admin' || want === 'forbidden')
              mustBeRecorded.push({
                method: route.method,
                url: route.url,
                required: access,
                reason: want,
                ip,
                user_agent,
              })
          } else {
            t.ok(res.status !== 401 && res.status !== 403, `${what}: let through (got ${res.status} ${res.code ?? ''})`)
          }
        }),
      )
    }
  }

  await t.test(
    'every invalid token is a 401 unauthorized, and the refusal changes nothing but the security log',
    async (t) => {
      const before = await allEvents(runtime)
      const seen = new Set(before.map((e) => e.id))
      await matrix(t, invalid)
      const added = (await allEvents(runtime)).filter((e) => !seen.has(e.id))
      t.same(
        added
          .filter((e) => !(e.type === 'AccessDenied' && e.stream.startsWith('security-')))
          .map((e) => `${e.stream} ${e.type}`),
        [],
        `a refused request appends nothing else (${before.length} events stored before the matrix)`,
      )
    },
  )

  await t.test('valid callers pass where their role allows, and get 403 forbidden where it does not', async (t) => {
    await matrix(t, valid)
  })

  await t.test(
    'every refusal on an admin route, and every 403, is an AccessDenied event with the caller’s ip and user agent',
    async (t) => {
      t.ok(
        mustBeRecorded.some((r) => r.reason === 'unauthorized') && mustBeRecorded.some((r) => r.reason === 'forbidden'),
        'both 401s and 403s were expected to be recorded',
      )
      const today = new Date()
      const days = [new Date(today.getTime() - 86_400_000), today].map((d) => d.toISOString().slice(0, 10))
      const denied = (await Promise.all(days.map((d) => runtime.store.readStream(`security-${d}`))))
        .flat()
        .filter((e) => e.type === 'AccessDenied')
      for (const r of mustBeRecorded) {
        const found = denied.filter((e) => e.metadata.user_agent === r.user_agent)
        t.equal(found.length, 1, `${r.method} ${r.url} ${r.reason}: one AccessDenied`)
        t.match(
          found[0],
          {
            metadata: { ip: r.ip, user_agent: r.user_agent },
            data: { method: r.method, route: r.url, required: r.required, reason: r.reason },
          },
          `${r.method} ${r.url} ${r.reason}: with ip, user agent, route and reason`,
        )
      }
    },
  )
})
