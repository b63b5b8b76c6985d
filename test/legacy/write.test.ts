import { sql } from 'kysely'
import t from 'tap'
import { writePlan } from '../../src/commands/legacy/write'
import { planImport } from '../../src/domain/legacy/plan'
import { readSnapshot } from '../../src/domain/legacy/read'
import { isoTime } from '../../src/domain/legacy/values'
import { importCommand } from '../../src/platform/cli/legacy-import'
import { holdFeed } from '../helpers/attendance'
import { testRuntime } from '../helpers/runtime'

/**
 * The importer's parts on their own: a legacy audit log longer than one
 * append (its pieces on one stream, written in order, never raced), times
 * as the portal wrote them, and a source that is no portal database.
 */
const HASH = '$2b$04$abcdefghijklmnopqrstuu5xsMxhQm7uDXjxrbYsGm1E8kSJZ9p1G'

function portal(auditRows: number) {
  const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString().replace('T', ' ').slice(0, 19)
  return readSnapshot({
    columns: { users: ['id', 'email', 'full_name'], audit_logs: ['id', 'action'] },
    rows: {
      users: [
        {
          id: 'admin-default-uuid',
          email: 'admin@dsclub.com',
          full_name: 'Admin',
          hashed_password: HASH,
          role: 'ADMIN',
          is_active: 1,
          created_at: at(0),
        },
      ],
      audit_logs: Array.from({ length: auditRows }, (_, i) => ({
        id: `a-${i}`,
        user_id: i % 2 ? 'admin-default-uuid' : null,
        action: i % 3 ? 'login_success' : 'login_failed',
        meta_data: JSON.stringify({ i, password: 'hunter2' }),
        created_at: at(i + 1),
      })),
    },
  })
}

const OPTIONS = {
  source: 'test',
  now: new Date(),
  approvalTimeoutMs: 180_000,
  eventDurationMinutes: 120,
  uploadsDir: null,
}

t.test('a long legacy audit log is appended piece by piece, in order, once', async (t) => {
  const runtime = await testRuntime(t, { role: 'api', redis: false })
  const plan = planImport(portal(1_234), OPTIONS, new Set())
  t.equal(plan.appends.filter((a) => a.phase === 'audit').length, 3, 'three pieces of at most 500')
  const deps = { store: runtime.store, blobs: runtime.resources.blobs, maxBytes: runtime.resources.maxBytes }
  const first = await writePlan(deps, plan, null)
  t.same(first.conflicts, [], 'no piece raced another')
  t.equal(first.appended, 1_234 + 3, "every entry, the admin's signup, decision and index entry")
  const stored = await runtime.store.readStream(plan.appends.at(-1)!.stream)
  t.same(
    stored.map((e) => (e.metadata as { legacy: { id: string } }).legacy.id),
    Array.from({ length: 1_234 }, (_, i) => `a-${i}`),
    'in the order the portal wrote them',
  )
  t.notMatch(JSON.stringify(stored.map((e) => e.data)), /hunter2/, 'secrets redacted before they are stored')
  const again = await writePlan(deps, plan, null)
  t.same(
    { appended: again.appended, conflicts: again.conflicts },
    { appended: 0, conflicts: [] },
    'a second run stores nothing',
  )
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM es_events`.execute(runtime.db.kysely)
  t.equal(Number(rows[0]!.n), 1_234 + 3)
})

t.test('a second run knows what the first stored while a transaction elsewhere holds the feed back', async (t) => {
  // the feed's head stays behind any transaction open in the cluster (another
  // service, another import, a test file beside this one): what the last run
  // wrote can be newer than the head, and must still count as stored
  const runtime = await testRuntime(t, { role: 'api', redis: false })
  const plan = planImport(portal(10), OPTIONS, new Set())
  const deps = { store: runtime.store, blobs: runtime.resources.blobs, maxBytes: runtime.resources.maxBytes }
  const release = await holdFeed(runtime.config.databaseUrl!)
  t.teardown(release)
  const first = await writePlan(deps, plan, null)
  t.equal(first.appended, 10 + 3)
  const again = await writePlan(deps, plan, null)
  t.same({ appended: again.appended, already: again.already }, { appended: 0, already: plan.appends.length })
})

t.test('times as the portal wrote them', async (t) => {
  t.equal(isoTime('2026-01-18 16:31:33.196882'), '2026-01-18T16:31:33.196Z', 'SQLAlchemy naive UTC, microseconds')
  t.equal(isoTime('2026-01-18 16:31:33'), '2026-01-18T16:31:33.000Z')
  t.equal(isoTime('2026-01-18T16:31:33+05:30'), '2026-01-18T11:01:33.000Z', 'an offset is honoured')
  t.equal(isoTime(new Date('2026-01-18T00:00:00Z')), '2026-01-18T00:00:00.000Z', 'timestamptz arrives as a Date')
  for (const bad of ['', 'yesterday', null, undefined, {}])
    t.equal(isoTime(bad), null, `${JSON.stringify(bad)}: no time`)
})

t.test('a source that is no portal database is refused with a reason', async (t) => {
  t.throws(() => readSnapshot({ columns: { things: ['id'] }, rows: {} }), /no users table/)
  t.throws(() => readSnapshot({ columns: { users: ['id', 'email'] }, rows: {} }), /neither full_name/)
  const runtime = await testRuntime(t, { role: 'api', redis: false })
  const code = await importCommand([], runtime.config, () => undefined)
  t.equal(code, 2, 'no --from: usage')
  await t.rejects(
    importCommand(['--from', 'mysql://x'], runtime.config, () => undefined),
    /sqlite:<path> or a postgres/,
  )
  const dir = t.testdir({ 'empty.db': '' })
  await t.rejects(
    importCommand(['--from', `sqlite:${dir}/empty.db`], runtime.config, () => undefined),
    /no users table/,
  )
})
