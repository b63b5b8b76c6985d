import type { RouteOptions } from 'fastify'
import fc from 'fast-check'
import t, { type Test } from 'tap'
import { buildApp } from '../../../src/api/app'
import type { Access } from '../../../src/api/plugins/auth'
import { Ledger } from '../../helpers/fuzz/ledger'
import {
  CALLERS,
  type Draft,
  type OpenApiDocument,
  type Operation,
  type Tokens,
  drafts,
  operations,
  render,
} from '../../helpers/fuzz/requests'
import { hostileText } from '../../helpers/fuzz/values'
import { adminSession, bearer, forgeAccessToken, member, signup } from '../../helpers/identity'
import { testRuntime } from '../../helpers/runtime'
import { SseConnection } from '../../helpers/sse'

/**
 * A property-based fuzz of every route, generated from the OpenAPI document
 * the service serves (/docs/json), so a route added later is fuzzed without a
 * change here. Each route gets FUZZ_RUNS cases (default 200, what issue 17
 * asks of CI; each run draws a new seed, so runs add up; FUZZ_RUNS=1000 for
 * a deep run): half valid-ish
 * (every part shaped as documented, the content hostile), half with one
 * defect each (a part breaking its schema, or a caller the route does not
 * admit), from admins, students and callers without a (valid) token. For
 * every case: no status >= 500; every 4xx has a `code` and a human `detail`;
 * a refused request appends nothing but the record of its refusal. For every
 * batch of cases that wrote nothing: the read tables are as before.
 * Replay a failure with the FUZZ_SEED it prints (and FUZZ_ROUTE to narrow).
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const RUNS = Number(process.env.FUZZ_RUNS ?? 200)
const ONLY = process.env.FUZZ_ROUTE

/** routes left out of the document, each fuzzed with query strings (and a path tail where it has a wildcard) */
const UNDOCUMENTED = /^(\/metrics|\/docs.*)$/

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** fast-check's report with the failure's own words first */
const report = <T>(run: fc.RunDetails<T>) =>
  `${(run.errorInstance as Error | undefined)?.message ?? ''}\n${String(fc.defaultReportMessage(run))}`

interface Tally {
  statuses: Map<string, number>
  accepted: number
  ms: number
}

t.test('every route, fuzzed from the OpenAPI document: never a 5xx, refusals change nothing', async (t) => {
  t.comment(`fuzz seed ${SEED}: replay with FUZZ_SEED=${SEED}`)
  const runtime = await testRuntime(t, {
    env: {
      RATE_LIMIT_ENABLED: 'false',
      // a far-future consistency token costs a read this long, not 2 s
      READ_YOUR_WRITES_TIMEOUT_MS: '20',
      // no expiry appends an event of its own during the run
      APPROVAL_TIMEOUT_MINUTES: String(60 * 24 * 30),
      // the stream case takes a ticket per case and may leave it unused (a refused Last-Event-ID):
      // the cap is tested in notifications/caps.test.ts, not here
      SSE_MAX_TICKETS_PER_USER: '1000',
    },
  })
  const collected: RouteOptions[] = []
  const app = await buildApp(runtime, { onRoute: (r) => collected.push(r) })
  t.teardown(() => app.close())
  await app.ready()

  const admin = await adminSession(app, runtime)
  const student = await member(app, runtime, admin, 'student')
  // others the fuzz may approve, demote or deactivate; the two callers stay out of its reach
  for (let i = 0; i < 2; i++) await member(app, runtime, admin, 'student')
  await signup(app)
  const created = await app.inject({
    method: 'POST',
    url: '/api/admin/events',
    headers: bearer(admin.access_token),
    payload: { title: 'Fuzz night', starts_at: '2030-01-01T18:00:00Z', ends_at: '2030-01-01T20:00:00Z' },
  })
  const event = created.json().event as { id: string }
  await app.inject({
    method: 'POST',
    url: '/api/admin/qr-sessions',
    headers: bearer(admin.access_token),
    payload: { event_id: event.id },
  })

  const protectedIds = new Set([admin.user.id, student.user.id])
  const known: string[] = []
  const harvest = (x: unknown): void => {
    if (typeof x === 'string') {
      if (UUID_TEXT.test(x) && !protectedIds.has(x) && !known.includes(x)) known.push(x)
    } else if (Array.isArray(x)) x.forEach(harvest)
    else if (x && typeof x === 'object') Object.values(x).forEach(harvest)
  }
  harvest(created.json())
  for (const url of [
    '/api/admin/approval-requests',
    '/api/admin/qr-sessions/active',
    '/api/admin/audit-logs?limit=100',
  ])
    harvest((await app.inject({ method: 'GET', url, headers: bearer(admin.access_token) })).json())

  const now = Math.floor(Date.now() / 1000)
  const forge = (claims: object, key?: string) => `Bearer ${forgeAccessToken(claims, key)}`
  const tokens: Tokens = {
    admin: `Bearer ${admin.access_token}`,
    student: `Bearer ${student.access_token}`,
    none: undefined,
    junk: 'Bearer not.a.token',
    'wrong-key': forge({ sub: admin.user.id }, 'another key of at least thirty-two bytes!'),
    'no-such-user': forge({}),
    expired: forge({ sub: admin.user.id, iat: now - 7200, exp: now - 3600 }),
    // signed with the service's own key, claims no token of ours has (PostgreSQL refuses a NUL in text)
    'bad-claims': forge({ sub: `${admin.user.id}\u0000`, sid: '\u0000' }),
  }

  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDocument
  const routes = collected.flatMap((r) => [r.method].flat().map((m) => ({ method: String(m), route: r })))
  const accessOf = (method: string, url: string): Access =>
    (routes.find((r) => r.method === method && r.route.url === url)?.route.config?.access as Access) ?? 'public'
  const ops = operations(doc, accessOf).filter((op) => !ONLY || `${op.method} ${op.path}`.includes(ONLY))
  const documented = new Set(
    operations(doc, accessOf).map((op) => `${op.method} ${op.path.replace(/\{(\w+)\}/g, ':$1')}`),
  )
  const undocumented = routes.filter((r) => r.method !== 'HEAD' && !documented.has(`${r.method} ${r.route.url}`))
  t.same(
    undocumented.filter((r) => !UNDOCUMENTED.test(r.route.url)).map((r) => `${r.method} ${r.route.url}`),
    [],
    'every route is in the OpenAPI document, or in the list fuzzed without it',
  )
  t.ok(ONLY || ops.length >= 30, `the document lists ${ops.length} operations`)

  const ledger = new Ledger(runtime)
  await ledger.start()
  const tallies = new Map<string, Tally>()
  const batches = { run: 0, compared: 0 }

  /** one case: send, then check the answer and what it appended */
  async function send(op: Operation, d: Draft, mode: 'valid-ish' | 'hostile', tally: Tally): Promise<boolean> {
    const req = render(op, d, tokens, known)
    const res = await app.inject({ ...req, method: req.method as 'GET' })
    const appended = await ledger.appended()
    const what = `${req.method} ${req.url} as ${d.caller}${d.defect ? ` [${d.defect}]` : ''} ${req.payload?.slice(0, 300) ?? ''}`
    if (res.statusCode >= 500) throw new Error(`${what} → ${res.statusCode} ${res.body.slice(0, 300)}`)
    let body: { statusCode?: unknown; code?: unknown; message?: unknown; detail?: unknown } | undefined
    try {
      body = res.json()
    } catch {
      body = undefined
    }
    const key =
      res.statusCode >= 400
        ? `${res.statusCode} ${String(body?.code)}${process.env.FUZZ_VERBOSE && mode === 'valid-ish' ? ` ${String(body?.message)}` : ''}`
        : String(res.statusCode)
    tally.statuses.set(key, (tally.statuses.get(key) ?? 0) + 1)
    if (res.statusCode < 400) {
      if (mode === 'hostile') throw new Error(`${what} → ${res.statusCode}: accepted, yet it breaks ${d.defect}`)
      tally.accepted++
      harvest(body)
      return appended.some((e) => !e.refusal)
    }
    // the human words: `detail` (what the club's frontend shows) and its twin `message`
    const human = body?.detail
    if (typeof body?.code !== 'string' || !body.code || typeof human !== 'string' || !human || human !== body.message)
      throw new Error(`${what} → ${res.statusCode} without a code and a message: ${res.body.slice(0, 300)}`)
    if (body.statusCode !== res.statusCode)
      throw new Error(`${what} → ${res.statusCode}, body says ${String(body.statusCode)}`)
    const written = appended.filter((e) => !e.refusal).map((e) => e.type)
    if (written.length) throw new Error(`${what} → ${res.statusCode}, yet it appended ${written.join(', ')}`)
    return false
  }

  async function batch(t: Test, op: Operation, mode: 'valid-ish' | 'hostile', runs: number) {
    const arb = drafts(op, mode)
    if (!arb || runs === 0) return
    const name = `${op.method} ${op.path}`
    const tally = tallies.get(name) ?? { statuses: new Map(), accepted: 0, ms: 0 }
    tallies.set(name, tally)
    const started = Date.now()
    const before = await ledger.snapshot()
    const audit = await ledger.auditOutcomes()
    let wrote = false
    const run = await fc.check(
      fc.asyncProperty(arb, async (d) => {
        if (await send(op, d, mode, tally)) wrote = true
      }),
      { seed: SEED, numRuns: runs, endOnFailure: process.env.FUZZ_SHRINK !== '1' },
    )
    if (run.failed) t.fail(`${name} (${mode}): ${report(run)}\nreplay: FUZZ_SEED=${SEED} FUZZ_ROUTE='${name}'`)
    batches.run++
    if (!wrote) {
      batches.compared++
      t.same(
        await ledger.snapshot(),
        before,
        `${name} (${mode}, ${runs} cases, nothing written): read tables unchanged`,
      )
      t.equal(
        (await ledger.auditOutcomes()).success,
        audit.success,
        `${name} (${mode}): audit log grew by refusals only`,
      )
    }
    tally.ms += Date.now() - started
  }

  for (const op of ops) {
    await t.test(`${op.method} ${op.path}`, async (t) => {
      const hostile = drafts(op, 'hostile') ? Math.floor(RUNS / 2) : 0
      await batch(t, op, 'hostile', hostile)
      await batch(t, op, 'valid-ish', RUNS - hostile)
    })
  }

  await t.test('routes the document leaves out: query strings and path tails from every caller', async (t) => {
    const tally: Tally = { statuses: new Map(), accepted: 0, ms: 0 }
    for (const { method, route } of undocumented.filter((r) => UNDOCUMENTED.test(r.route.url))) {
      if (ONLY && !route.url.includes(ONLY)) continue
      const op: Operation = { method, path: route.url, access: 'public', params: [], body: undefined, tags: [] }
      const tail = fc.oneof(
        hostileText(30),
        fc.constantFrom('../../package.json', '..%2f..%2fpackage.json', 'index.html'),
      )
      const query = fc.dictionary(fc.string({ maxLength: 8 }), hostileText(30), { maxKeys: 3 })
      const run = await fc.check(
        fc.asyncProperty(fc.constantFrom(...CALLERS), tail, query, async (caller, rest, q) => {
          const url = route.url.replace(
            '*',
            Buffer.from(rest)
              .toString('latin1')
              .replace(/[^\w.~/-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
          )
          await send({ ...op, path: url }, { caller, path: {}, query: q, headers: {} }, 'valid-ish', tally)
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      )
      if (run.failed) t.fail(`${method} ${route.url}: ${report(run)}`)
    }
    tallies.set('undocumented routes', tally)
  })

  await t.test('the notification stream with a real ticket: any Last-Event-ID, never a 5xx', async (t) => {
    // inject cannot hold a stream open: a real connection, closed as soon as it answers
    await app.listen({ port: 0, host: '127.0.0.1' })
    const port = (app.server.address() as { port: number }).port
    const lastEventId = fc.oneof(
      fc.bigInt({ min: 0n, max: 10n ** 16n }).map(String),
      fc.constantFrom('0', '999999999999999', '-1', '1e3', ' 1', ''),
      hostileText(20).filter((x) => /^[\x20-\x7e]*$/.test(x)),
    )
    const seen = new Map<number, number>()
    const run = await fc.check(
      fc.asyncProperty(lastEventId, async (id) => {
        const issued = await app.inject({
          method: 'POST',
          url: '/api/notifications/stream-ticket',
          headers: bearer(student.access_token),
        })
        if (issued.statusCode !== 200) throw new Error(`ticket: ${issued.statusCode} ${issued.body}`)
        const conn = await SseConnection.open(port, `/api/notifications/stream?ticket=${issued.json().ticket}`, {
          'last-event-id': id,
        })
        conn.close()
        seen.set(conn.status, (seen.get(conn.status) ?? 0) + 1)
        if (conn.status >= 500) throw new Error(`Last-Event-ID ${JSON.stringify(id)} → ${conn.status} ${conn.body}`)
      }),
      { seed: SEED, numRuns: Math.min(RUNS, 50), endOnFailure: true },
    )
    if (run.failed) t.fail(report(run))
    t.ok(seen.get(200), `streams opened (${[...seen].map(([s, n]) => `${s}: ${n}`).join(', ')})`)
  })

  t.comment(`read tables compared around ${batches.compared} of ${batches.run} batches (the others wrote)`)
  t.comment('what the fuzz saw, by route: status (and code) × cases')
  for (const [name, tally] of tallies)
    t.comment(
      `${name} (${tally.ms} ms): ${[...tally.statuses]
        .sort()
        .map(([k, n]) => `${k} ×${n}`)
        .join(', ')}`,
    )
})
