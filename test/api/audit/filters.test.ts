import t from 'tap'
import { adminSession, bearer, member, uniqueEmail } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { auditCaughtUp } from '../../helpers/audit'

/** GET /api/admin/audit-logs: filters, newest first, keyset paging with no gap or repeat, CSV with the same filters. */
interface Item {
  id: string
  at: string
  action: string
  outcome: string
  actor_id: string | null
  target_id: string | null
}

t.test('audit log filters and cursor paging', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const admin = await adminSession(app, runtime)
  const student = await member(app, runtime, admin)
  const start = new Date()
  for (let i = 0; i < 3; i++)
    await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: student.email, password: 'Wrong-Horse-7-Battery' },
    })
  for (let i = 0; i < 2; i++)
    await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: uniqueEmail('ghost'), password: 'Wrong-Horse-7-Battery' },
    })
  await app.inject({ method: 'GET', url: '/api/admin/audit-logs', headers: bearer(student.access_token) })
  await auditCaughtUp(runtime)
  const get = async (query: string) => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/admin/audit-logs?${query}`,
      headers: bearer(admin.access_token),
    })
    t.equal(res.statusCode, 200, query)
    return res.json() as { items: Item[]; next_cursor: string | null }
  }
  const all = (await get('limit=100')).items
  const total = Number(
    (
      await runtime.db.kysely
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )
  t.equal(all.length, total, 'one page of 100 holds every row here')
  const order = [...all].sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id))
  t.same(
    all.map((i) => i.id),
    order.map((i) => i.id),
    'newest first, ties by id',
  )

  const fails = (await get('action=authn_login_fail')).items
  t.equal(fails.length, 5)
  t.ok(fails.every((i) => i.action === 'authn_login_fail' && i.outcome === 'failure'))
  t.same(
    (await get(`action=authn_login_fail&actor_id=${student.user.id}`)).items.map((i) => i.id),
    fails.filter((i) => i.actor_id === student.user.id).map((i) => i.id),
    'action and actor together',
  )
  t.equal(
    (await get(`actor_id=${student.user.id.toUpperCase()}&action=authn_login_fail`)).items.length,
    3,
    'an upper-case uuid finds the same actor',
  )
  const failures = (await get('outcome=failure')).items
  t.same(
    failures.map((i) => i.action).sort(),
    [...Array(5).fill('authn_login_fail'), 'authz_fail'].sort(),
    'outcome=failure: the refusals only',
  )
  t.ok((await get('outcome=success')).items.every((i) => i.outcome === 'success'))
  t.ok((await get(`target_id=${student.user.id}`)).items.every((i) => i.target_id === student.user.id))
  t.equal((await get('target_id=GET%20%2Fapi%2Fadmin%2Faudit-logs')).items.length, 1, 'a route is a target too')

  const since = (await get(`from=${encodeURIComponent(start.toISOString())}`)).items
  t.ok(since.length >= 6 && since.every((i) => i.at >= start.toISOString()), 'from is inclusive')
  const before = (await get(`to=${encodeURIComponent(start.toISOString())}`)).items
  t.equal(before.length + since.length, total, 'from and to split the log with nothing lost or repeated')
  t.same(
    (await get(`from=${encodeURIComponent(all[1]!.at)}&to=${encodeURIComponent(all[1]!.at)}`)).items,
    [],
    'to is exclusive',
  )

  // keyset paging: two at a time, every row once, in the same order
  const paged: Item[] = []
  let cursor: string | null = null
  do {
    const page: { items: Item[]; next_cursor: string | null } = await get(`limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    t.ok(page.items.length <= 2)
    paged.push(...page.items)
    cursor = page.next_cursor
  } while (cursor)
  t.same(
    paged.map((i) => i.id),
    all.map((i) => i.id),
    'pages of 2 give every row once, in order',
  )
  const filtered: Item[] = []
  for (let c: string | null = ''; c !== null;) {
    const page: { items: Item[]; next_cursor: string | null } = await get(
      `action=authn_login_fail&limit=2${c ? `&cursor=${c}` : ''}`,
    )
    filtered.push(...page.items)
    c = page.next_cursor
  }
  t.same(
    filtered.map((i) => i.id),
    fails.map((i) => i.id),
    'paging under a filter',
  )

  const csv = await app.inject({
    method: 'GET',
    url: '/api/admin/audit-logs?format=csv&action=authn_login_fail',
    headers: bearer(admin.access_token),
  })
  t.equal(csv.statusCode, 200)
  const lines = csv.body.trimEnd().split('\r\n')
  t.equal(
    lines[0],
    '"id","at","position","action","outcome","actor_id","actor_role","target_type","target_id","ip","user_agent","request_id","event_type","stream","details"',
  )
  t.same(
    lines.slice(1).map((l) => JSON.parse(l.split(',')[0]!)),
    fails.map((i) => i.id),
    'the CSV holds the filtered rows, newest first',
  )

  for (const q of [
    'outcome=maybe',
    'action=Login%20Fail',
    'actor_id=not-a-uuid',
    'from=yesterday',
    'cursor=garbage!',
    'limit=101',
    'format=xml',
  ]) {
    const res = await app.inject({
      method: 'GET',
      url: `/api/admin/audit-logs?${q}`,
      headers: bearer(admin.access_token),
    })
    t.same([res.statusCode, res.json().code], [400, 'validation_error'], q)
  }
})
