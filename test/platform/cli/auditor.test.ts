import { sql } from 'kysely'
import t from 'tap'
import { auditorCommand } from '../../../src/platform/cli/auditor'
import { rebuildProjections, UnknownProjection } from '../../../src/projections/rebuild'
import { BadReplaySchema, replay } from '../../../src/projections/replay'
import { analysed } from '../../helpers/db'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, member, projected, signup } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { visibleEvents, auditCaughtUp, chained } from '../../helpers/audit'

/** The auditor's CLI commands on real PostgreSQL, with the projector running beside them. */
t.test(
  'projections rebuild builds aside and swaps under live runners: reads never see a partial table, rows come back identical',
  async (t) => {
    const { app, runtime } = await testApp(t)
    const admin = await adminSession(app, runtime)
    for (let i = 0; i < 5; i++) await member(app, runtime, admin)
    await auditCaughtUp(runtime)
    // users is compared with this snapshot too: a table one approval behind came back "changed" (CI, once).
    // Its stored checkpoint may stay behind while it has nothing to do; the board knows where it stands.
    t.ok(await runtime.board.waitFor(['users'], await runtime.store.head(), 30_000), 'users caught up')
    const db = runtime.db.kysely
    const snapshot = async () => ({
      audit: await db.selectFrom('audit_log').selectAll().orderBy('id').execute(),
      users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
    })
    const before = await snapshot()
    t.ok(before.audit.length > 20, `${before.audit.length} audit rows to rebuild`)
    const count = async (table: 'audit_log' | 'users') =>
      Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(table)}`.execute(db)).rows[0]!.n)

    // readers and writers go on while it runs: the smallest count a reader saw, and what was written meanwhile
    const watch = (table: 'audit_log' | 'users', floor: number) => {
      let least = Infinity
      let stop = false
      const done = (async () => {
        while (!stop) {
          least = Math.min(least, await count(table))
          await new Promise((r) => setImmediate(r))
        }
      })()
      return { floor, least: async () => ((stop = true), await done, least) }
    }
    const rebuildWhileBusy = async (names: string[]) => {
      const audit = watch('audit_log', before.audit.length)
      const users = watch('users', before.users.length)
      const [rebuilt, joined] = await Promise.all([
        rebuildProjections(db, runtime.store, names),
        Promise.all([signup(app), signup(app)]),
      ])
      t.ok(
        (await audit.least()) >= audit.floor,
        `audit_log never looked partial to a reader (never under its ${audit.floor} rows)`,
      )
      t.ok((await users.least()) >= users.floor, 'users never looked partial to a reader')
      return { rebuilt, joined }
    }

    t.notOk(await analysed(db, 'audit_log'), 'a small history, built in one short batch: never analysed')
    // a changed row can only come back through a rebuild
    await db.updateTable('audit_log').set({ action: 'tampered' }).where('id', '=', before.audit[0]!.id).execute()
    const first = await rebuildWhileBusy(['audit_log'])
    t.same(first.rebuilt, ['audit_log'])
    t.ok(await analysed(db, 'audit_log'), 'the rebuilt table is analysed')
    await auditCaughtUp(runtime)
    const after = (await snapshot()).audit
    t.same(
      after.filter((r) => before.audit.some((b) => b.id === r.id)),
      before.audit,
      'the audit log is rebuilt row for row, nothing twice',
    )
    for (const s of first.joined)
      t.ok(
        after.some((r) => r.target_id === s.user.id),
        'a signup made during the rebuild is in the swapped-in log',
      )
    t.equal(after.length, new Set(after.map((r) => r.id)).size)

    await db.updateTable('users').set({ full_name: 'tampered' }).execute()
    const second = await rebuildWhileBusy([])
    t.ok(
      second.rebuilt.includes('users') &&
        second.rebuilt.includes('audit_log') &&
        !second.rebuilt.includes('event_chain'),
      'no name: every projection, never the chain',
    )
    await eventually(
      async () =>
        (
          await db
            .selectFrom('users')
            .select('id')
            .where(
              'id',
              'in',
              second.joined.map((s) => s.user.id),
            )
            .execute()
        ).length === 2,
    )
    const users = await db.selectFrom('users').selectAll().orderBy('id').execute()
    t.same(
      users.filter((u) => before.users.some((b) => b.id === u.id)),
      before.users,
      'every read model came back identical',
    )
    const shadows = await sql<{
      n: string
    }>`SELECT count(*)::text AS n FROM information_schema.schemata WHERE schema_name LIKE 'rebuild\_%'`.execute(db)
    t.equal(shadows.rows[0]!.n, '0', 'the shadow schemas are gone')
    await t.rejects(rebuildProjections(db, runtime.store, ['event_chain']), UnknownProjection, 'the chain is refused')
    await t.rejects(rebuildProjections(db, runtime.store, ['nope']), UnknownProjection)
  },
)

t.test('on embedded PGlite (one connection) a rebuild is swapped in too', async (t) => {
  const { app, runtime } = await testApp(t, { database: 'pglite', redis: false })
  const admin = await adminSession(app, runtime)
  const m = await member(app, runtime, admin)
  const db = runtime.db.kysely
  // the rows as projected once the approval is in: a rebuild must give them back
  await eventually(
    async () =>
      (await db.selectFrom('users').select('status').where('id', '=', m.user.id).executeTakeFirst())?.status ===
      'approved',
  )
  const before = await db.selectFrom('users').selectAll().orderBy('id').execute()
  await db.updateTable('users').set({ full_name: 'tampered' }).execute()
  t.same(await rebuildProjections(db, runtime.store, ['users'], { singleConnection: true }), ['users'])
  await eventually(
    async () =>
      JSON.stringify(await db.selectFrom('users').selectAll().orderBy('id').execute()) === JSON.stringify(before),
  )
  t.pass('the users table came back identical')
})

t.test('replay builds the read models as of a past moment in a schema of their own', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  const s = await signup(app)
  await projected(runtime, s.approval_request.id)
  await new Promise((r) => setTimeout(r, 50))
  const until = new Date()
  await new Promise((r) => setTimeout(r, 50))
  const decided = await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'approve' },
  })
  t.equal(decided.statusCode, 200)
  await auditCaughtUp(runtime)
  const db = runtime.db.kysely

  const { events } = await replay(db, runtime.store, until, 'replay_before_approval')
  t.equal(
    events,
    (await visibleEvents(runtime)).filter((e) => e.recorded_at <= until).length,
    'every event up to the moment',
  )
  const past = await db
    .withSchema('replay_before_approval')
    .selectFrom('users')
    .select('status')
    .where('id', '=', s.user.id)
    .executeTakeFirstOrThrow()
  t.equal(past.status, 'pending', 'then: pending')
  t.equal(
    (await db.selectFrom('users').select('status').where('id', '=', s.user.id).executeTakeFirstOrThrow()).status,
    'approved',
    'now: approved, untouched',
  )
  const pastActions = (
    await db
      .withSchema('replay_before_approval')
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', s.user.id)
      .execute()
  ).map((r) => r.action)
  t.same(
    pastActions.sort(),
    ['authn_signup_indexed', 'authn_signup_requested'],
    'the past audit log ends before the decision',
  )

  t.same(
    await replay(db, runtime.store, until, 'replay_before_approval'),
    { events },
    'running it again starts from empty tables',
  )
  const n = await sql<{ n: string }>`SELECT count(*)::text AS n FROM replay_before_approval.audit_log`.execute(db)
  t.equal(Number(n.rows[0]!.n), events, 'one audit row per replayed event')
  for (const bad of ['public', 'analytics', 'pg_temp', 'Robert); DROP TABLE users;--'])
    await t.rejects(replay(db, runtime.store, until, bad), BadReplaySchema, bad)
})

t.test('the CLI dispatches the auditor commands', async (t) => {
  const { runtime } = await testApp(t)
  await chained(runtime, (await visibleEvents(runtime)).length)
  const logged: string[] = []
  const print = (l: string) => logged.push(l)
  t.equal(await auditorCommand('audit', ['verify'], runtime.config, print), 0)
  t.match(JSON.parse(logged[0]!), { ok: true })
  t.equal(await auditorCommand('nope', [], runtime.config, print), undefined, 'not ours')
  t.equal(await auditorCommand('events', ['export'], runtime.config, print), 2, 'export without --out')
  t.equal(
    await auditorCommand('replay', ['--until', new Date().toISOString()], runtime.config, print),
    2,
    'replay without --schema',
  )
})
