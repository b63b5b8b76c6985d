import pg from 'pg'
import t from 'tap'
import { eventually } from '../helpers/eventually'
import { PASSWORD, uniqueEmail } from '../helpers/identity'
import { call, processesOnFreshData, whenUp } from '../helpers/processes'

/**
 * What a PostgreSQL restart or a proxy's reset does to a running service:
 * every one of its connections is cut at once, pooled ones included (some of
 * them borrowed, mid-query), the LISTEN connection and the leader-lock
 * connection too. The process must live through it, answer 503 meanwhile
 * rather than 500, and serve and project again by itself.
 */
t.test('every connection of a running service cut, five times under load', async (t) => {
  const service = await processesOnFreshData(t)
  const adminEmail = uniqueEmail('admin')
  const all = service.start('all', { BOOTSTRAP_ADMIN_EMAIL: adminEmail, BOOTSTRAP_ADMIN_PASSWORD: PASSWORD })
  const projector = service.start('projector')
  await Promise.all([whenUp(all), whenUp(projector)])
  const login = await call(all, 'POST', '/api/auth/login', { email: adminEmail, password: PASSWORD })
  t.equal(login.status, 200)
  const token = login.json.access_token as string

  const killer = new pg.Client({ connectionString: service.env.DATABASE_URL })
  await killer.connect()
  t.teardown(() => killer.end())
  const cutAll = async () =>
    (
      await killer.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      )
    ).rows[0]!.n

  // a steady stream of signups and reads across the cuts, every answer kept
  const statuses = new Map<number, number>()
  const acknowledged: string[] = []
  let n = 0
  let running = true
  const load = (async () => {
    while (running) {
      const email = `cut${n++}.${Date.now()}@club.example.org`
      const [signup, read] = await Promise.all([
        call(all, 'POST', '/api/auth/signup', { email, password: PASSWORD, full_name: 'Cut Member' }).catch(() => ({
          status: 0,
          json: null,
        })),
        call(all, 'GET', '/api/admin/approval-requests?status=pending&limit=1', undefined, token).catch(() => ({
          status: 0,
          json: null,
        })),
      ])
      for (const s of [signup.status, read.status]) statuses.set(s, (statuses.get(s) ?? 0) + 1)
      if (signup.status === 200) acknowledged.push(email)
    }
  })()

  try {
    for (let round = 1; round <= 5; round++) {
      await new Promise((r) => setTimeout(r, 400))
      const cut = await cutAll()
      t.ok(cut >= 3, `round ${round}: ${cut} connections cut`)
      const cutAt = Date.now()
      // back by itself: a write through the cut process is accepted again
      let last: unknown
      await eventually(
        async () => {
          const email = uniqueEmail(`after-cut-${round}`)
          const res = await call(all, 'POST', '/api/auth/signup', { email, password: PASSWORD, full_name: 'After Cut' })
          last = res
          if (res.status === 200) acknowledged.push(email)
          return res.status === 200
        },
        15_000,
        50,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; last answer ${JSON.stringify(last)}; output: ${all.output().slice(-3000)}`)
      })
      t.pass(`round ${round}: a signup succeeded ${Date.now() - cutAt} ms after the cut`)
    }
  } finally {
    running = false
    await load
  }

  for (const [name, p] of [
    ['all', all],
    ['projector', projector],
  ] as const)
    t.equal(p.child.exitCode, null, p.child.exitCode === null ? `${name} lives` : `${name} died: ${p.output()}`)
  const answered = Object.fromEntries(statuses)
  t.same(
    [...statuses.keys()].filter((s) => s !== 200 && s !== 202 && s !== 503),
    [],
    `only 200, 202 and 503 answers: ${JSON.stringify(answered)}`,
  )
  t.ok((statuses.get(200) ?? 0) > 0, 'signups went through between the cuts')

  // the projections resumed from their checkpoints: every acknowledged signup is listed, once
  const listed = new Map<string, number>()
  await eventually(async () => {
    listed.clear()
    let cursor: string | null = null
    do {
      const page: { status: number; json: { items: { email: string }[]; next_cursor: string | null } } = await call(
        all,
        'GET',
        `/api/admin/approval-requests?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        token,
      )
      if (page.status !== 200) return false
      for (const item of page.json.items) listed.set(item.email, (listed.get(item.email) ?? 0) + 1)
      cursor = page.json.next_cursor
    } while (cursor)
    return acknowledged.every((e) => listed.has(e))
  }, 30_000)
  t.same(
    acknowledged.filter((e) => listed.get(e) !== 1),
    [],
    `all ${acknowledged.length} acknowledged signups projected once`,
  )
})
