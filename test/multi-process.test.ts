import { sql } from 'kysely'
import t from 'tap'
import { openDb } from '../src/db/connection'
import { eventually } from './helpers/eventually'
import { PASSWORD, uniqueEmail } from './helpers/identity'
import { call, processesOnFreshData, whenUp } from './helpers/processes'

t.test('2 API and 2 projector processes on one PostgreSQL and Redis', async (t) => {
  const service = await processesOnFreshData(t)
  const url = service.env.DATABASE_URL!
  const adminEmail = uniqueEmail('admin')
  const apiA = service.start('api', { BOOTSTRAP_ADMIN_EMAIL: adminEmail, BOOTSTRAP_ADMIN_PASSWORD: PASSWORD })
  await whenUp(apiA)
  const apiB = service.start('api')
  const first = service.start('projector')
  await Promise.all([whenUp(apiB), whenUp(first)])
  // the first projector leads every projection before the second one starts
  const db = await openDb({ databaseUrl: url, dataDir: '', poolSize: 2 })
  t.teardown(() => db.close())
  await eventually(
    async () =>
      (
        await sql<{
          n: string
        }>`SELECT count(*)::text AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`.execute(db.kysely)
      ).rows[0]!.n !== '0',
    30_000,
  )
  const second = service.start('projector')
  await whenUp(second)

  const admin = await call(apiA, 'POST', '/api/auth/login', { email: adminEmail, password: PASSWORD })
  t.equal(admin.status, 200)
  const token = admin.json.access_token as string

  const hour = 3_600_000
  const created = await call(
    apiA,
    'POST',
    '/api/admin/events',
    {
      title: 'Across processes',
      starts_at: new Date(Date.now() + hour).toISOString(),
      ends_at: new Date(Date.now() + 2 * hour).toISOString(),
    },
    token,
  )
  t.equal(created.status, 201)
  await eventually(
    async () => (await call(apiB, 'GET', `/api/events/${created.json.event.id}`, undefined, token)).status === 200,
    10_000,
  )
  t.pass('a command through API A is visible through API B')

  // kill the active projector mid-stream; the standby must take over
  const signups = (n: number, from: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        call(i % 2 ? apiA : apiB, 'POST', '/api/auth/signup', {
          email: `mp${from + i}.${Date.now()}@club.example.org`,
          password: PASSWORD,
          full_name: 'Multi Process',
        }),
      ),
    )
  const before = await signups(30, 0)
  t.ok(before.every((r) => r.status === 200))
  first.child.kill('SIGKILL')
  await first.exited
  const killedAt = Date.now()
  const after = await signups(30, 100)
  t.ok(after.every((r) => r.status === 200))
  const count = async () => {
    const { rows } = await sql<{
      n: string
      d: string
    }>`SELECT count(*)::text AS n, count(DISTINCT id)::text AS d FROM approval_requests WHERE full_name = 'Multi Process'`.execute(
      db.kysely,
    )
    return rows[0]!
  }
  await eventually(async () => (await count()).n === '60')
  const tookOver = Date.now() - killedAt
  t.ok(tookOver < 5000, `the standby projector caught up ${tookOver} ms after the kill`)
  await new Promise((r) => setTimeout(r, 500))
  t.same(await count(), { n: '60', d: '60' }, 'no duplicate and no missing row')
})
