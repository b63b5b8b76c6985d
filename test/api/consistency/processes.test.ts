import t from 'tap'
import { rounds } from '../../helpers/rounds'
import { PASSWORD, uniqueEmail } from '../../helpers/identity'
import { call, processesOnFreshData, whenUp } from '../../helpers/processes'

/**
 * Read-your-writes across processes (issue 13), as deployed: two `api`
 * processes and a separate `projector`, on one PostgreSQL and Redis. Each
 * race runs ROUNDS times, 25 at a time, and counts the reads that missed.
 */
// 120 in the suite (its time budget); RACE_ROUNDS=1000 runs the full count
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 120)
const CONCURRENCY = 25

t.test('two API processes and a projector: a write through one is seen through the other at once', async (t) => {
  const service = await processesOnFreshData(t, {
    // patient: other test files may hold the cluster's feeds back for seconds
    READ_YOUR_WRITES_TIMEOUT_MS: '30000',
  })
  const adminEmail = uniqueEmail('admin')
  const a = service.start('api', { BOOTSTRAP_ADMIN_EMAIL: adminEmail, BOOTSTRAP_ADMIN_PASSWORD: PASSWORD })
  await whenUp(a)
  const b = service.start('api')
  const projector = service.start('projector')
  await Promise.all([whenUp(b), whenUp(projector)])
  const admin = (await call(a, 'POST', '/api/auth/login', { email: adminEmail, password: PASSWORD })).json
    .access_token as string

  t.test(`${ROUNDS} signups through A, each decided through B at once: never a 404`, async (t) => {
    const missed = { signup: 0, decide: 0 }
    await rounds(ROUNDS, CONCURRENCY, async (i) => {
      const s = await call(a, 'POST', '/api/auth/signup', {
        email: `across${i}.${Date.now()}@club.example.org`,
        password: PASSWORD,
        full_name: 'Across Processes',
      })
      if (s.status !== 200) return void missed.signup++
      const decided = await call(
        b,
        'POST',
        `/api/admin/approval-requests/${s.json.approval_request.id}/decide`,
        { decision: 'approve' },
        admin,
      )
      if (decided.status !== 200) missed.decide++
    })
    t.same(missed, { signup: 0, decide: 0 })
  })

  t.test(`${ROUNDS} club events created through A, read through B by the same session at once`, async (t) => {
    const hour = 3_600_000
    const missed = { create: 0, read: 0 }
    await rounds(ROUNDS, CONCURRENCY, async (i) => {
      const created = await call(
        a,
        'POST',
        '/api/admin/events',
        {
          title: `Across ${i}`,
          starts_at: new Date(Date.now() + hour).toISOString(),
          ends_at: new Date(Date.now() + 2 * hour).toISOString(),
        },
        admin,
      )
      if (created.status !== 201) return void missed.create++
      if ((await call(b, 'GET', `/api/events/${created.json.event.id}`, undefined, admin)).status !== 200) missed.read++
    })
    t.same(missed, { create: 0, read: 0 })
  })
})
