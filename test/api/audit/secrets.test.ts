import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import t from 'tap'
import { exportEvents } from '../../../src/platform/cli/events-export'
import { createLogger } from '../../../src/platform/logger'
import { adminSession, bearer, projected, uniqueEmail } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { visibleEvents, auditCaughtUp, client } from '../../helpers/audit'

/**
 * No secret ever leaves through the audit surfaces: the audit_log table, its
 * CSV export, the NDJSON event stream and the CLI export are searched as text
 * for every password, hash and token this test produced.
 */
const PASSWORD = 'Zebra-Quartz-93-Marmalade!'
const WRONG = 'Wrong-Pass-71-Zephyr!'
const FORGED_UA = "Evil/1.0\r\nforged,row,=cmd|' /C calc'!A0"

t.test(
  'passwords, hashes and tokens appear in no log line, response, audit row, CSV, event stream or export',
  async (t) => {
    // everything the service logs, at its most verbose level, through the production redaction
    const logged: string[] = []
    const logger = createLogger({ logLevel: 'trace' }, 'dscp', { write: (line: string) => void logged.push(line) })
    const { app, runtime } = await testApp(t, { logger })
    const admin = await adminSession(app, runtime)
    const email = uniqueEmail('secret')
    // every response, headers and body; the two that hand out tokens are kept apart
    const responses: string[] = []
    const tokenResponses: string[] = []
    const post = async (url: string, payload: object, headers: Record<string, string> = {}) => {
      const res = await app.inject({ method: 'POST', url, payload, headers })
      const text = `${res.statusCode} ${JSON.stringify(res.headers)}\n${res.body}`
      if (res.statusCode === 200 && (url === '/api/auth/login' || url === '/api/auth/refresh'))
        tokenResponses.push(text)
      else responses.push(text)
      return res
    }

    const s = await post('/api/auth/signup', { email, password: PASSWORD, full_name: 'Sam Secret' })
    t.equal(s.statusCode, 200)
    await projected(runtime, s.json().approval_request.id)
    t.equal(
      (
        await post(
          `/api/admin/approval-requests/${s.json().approval_request.id}/decide`,
          { decision: 'approve' },
          bearer(admin.access_token),
        )
      ).statusCode,
      200,
    )
    t.equal((await post('/api/auth/login', { email, password: WRONG })).statusCode, 401)
    const login = await post('/api/auth/login', { email, password: PASSWORD })
    const refreshed = await post('/api/auth/refresh', { refresh_token: login.json().refresh_token })
    t.equal(refreshed.statusCode, 200)
    t.equal(
      (
        await post(
          '/api/auth/logout',
          { refresh_token: refreshed.json().refresh_token },
          bearer(refreshed.json().access_token),
        )
      ).statusCode,
      204,
    )

    // what must never show: what the client sent, and what the store keeps of it
    await auditCaughtUp(runtime) // every event visible in the feed
    const secrets = [
      PASSWORD,
      WRONG,
      login.json().access_token,
      login.json().refresh_token,
      refreshed.json().access_token,
      refreshed.json().refresh_token,
      admin.access_token,
      admin.refresh_token,
    ]
    for (const e of await visibleEvents(runtime)) {
      for (const k of ['password_hash', 'refresh_token_hash', 'previous_token_hash']) {
        const v = (e.data as Record<string, unknown>)[k]
        if (typeof v === 'string') secrets.push(v)
      }
    }
    t.equal(secrets.length, 8 + 2 + 4, `the store does hold hashes to look for (${secrets.length} secrets)`)
    // the secret part of each refresh token, on its own
    secrets.push(...[login, refreshed].map((r) => (r.json().refresh_token as string).split('.')[1]!))

    const passwordsAndHashes = secrets.filter((x) => !tokensOf(x, [login, refreshed, admin]))
    t.same(
      passwordsAndHashes.filter((x) => tokenResponses.join('\n').includes(x)),
      [],
      'a token response holds no password or hash',
    )

    const table = (
      await sql<{ row: string }>`SELECT row_to_json(a)::text AS row FROM audit_log a`.execute(runtime.db.kysely)
    ).rows
      .map((r) => r.row)
      .join('\n')
    const csv = (
      await app.inject({ method: 'GET', url: '/api/admin/audit-logs?format=csv', headers: bearer(admin.access_token) })
    ).body
    const stream = (
      await app.inject({ method: 'GET', url: '/api/admin/event-stream', headers: bearer(admin.access_token) })
    ).body
    const file = join(tmpdir(), `audit-export-${randomUUID()}.ndjson`)
    t.teardown(() => import('node:fs/promises').then((fs) => fs.rm(file, { force: true })))
    await exportEvents(runtime.store, file)
    const exported = await readFile(file, 'utf8')

    for (const [name, text] of Object.entries({
      'audit_log rows': table,
      'the CSV export': csv,
      'the event stream': stream,
      'the CLI export': exported,
    })) {
      t.ok(text.includes(email) && text.includes('[redacted]'), `${name}: the member's events are there, redacted`)
      const leaked = secrets.filter((x) => text.includes(x))
      t.same(leaked, [], `${name}: no password, hash or token`)
    }
    const logs = logged.join('')
    t.ok(
      logs.includes('/api/auth/login') && logs.includes('/api/auth/refresh'),
      `the log saw the requests (${logged.length} lines)`,
    )
    t.same(
      secrets.filter((x) => logs.includes(x)),
      [],
      'the log: no password, hash or token',
    )
    t.same(
      secrets.filter((x) => responses.join('\n').includes(x)),
      [],
      `the other ${responses.length} responses: no password, hash or token`,
    )
  },
)

/** whether `x` is (part of) a token some login or refresh handed out */
function tokensOf(
  x: string,
  sessions: {
    json?: () => { access_token: string; refresh_token: string }
    access_token?: string
    refresh_token?: string
  }[],
): boolean {
  return sessions.some((s) => {
    const pair = s.json ? s.json() : { access_token: s.access_token!, refresh_token: s.refresh_token! }
    return pair.access_token === x || pair.refresh_token === x || pair.refresh_token.endsWith(`.${x}`)
  })
}

t.test('a user agent with CR/LF cannot forge an audit row or a CSV row', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  const c = client('forged')
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress: c.ip,
    headers: { ...c.headers, 'user-agent': FORGED_UA },
    payload: { email: uniqueEmail('x'), password: WRONG },
  })
  t.equal(res.statusCode, 401)
  await auditCaughtUp(runtime)
  const row = await runtime.db.kysely
    .selectFrom('audit_log')
    .selectAll()
    .where('request_id', '=', c.request_id)
    .executeTakeFirstOrThrow()
  t.equal(
    row.user_agent,
    "Evil/1.0\\u000d\\u000aforged,row,=cmd|' /C calc'!A0",
    'stored with CR and LF as visible escapes',
  )
  t.notMatch(row.user_agent, /[\r\n]/)

  const list = await app.inject({
    method: 'GET',
    url: '/api/admin/audit-logs?limit=100',
    headers: bearer(admin.access_token),
  })
  const total = list.json().items.length as number
  t.ok(total < 100, 'one page holds every row')
  const csv = await app.inject({
    method: 'GET',
    url: '/api/admin/audit-logs?format=csv',
    headers: bearer(admin.access_token),
  })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv/)
  const lines = csv.body.split(/\r\n|\n|\r/)
  t.equal(lines.pop(), '', 'the file ends with one line break')
  t.equal(lines.length, total + 1, 'a header and one line per row: no forged line')
  t.notOk(
    lines.some((l) => l.startsWith('forged') || l.startsWith('"forged')),
    'no line starts with the forged text',
  )
  const forged = lines.find((l) => l.includes(c.request_id))!
  t.ok(forged.includes('"Evil/1.0\\u000d\\u000aforged,row,=cmd|\' /C calc\'!A0"'), 'the user agent is one quoted cell')
})
