import { sql } from 'kysely'
import t from 'tap'
import { auditorCommand } from '../../src/cli/auditor'
import { rebuildProjections, UnknownProjection } from '../../src/cli/projections-rebuild'
import { BadReplaySchema, replay } from '../../src/cli/replay'
import { eventually } from '../helpers/eventually'
import { adminSession, bearer, member, projected, signup } from '../helpers/identity'
import { testApp } from '../helpers/runtime'
import { allEvents, auditCaughtUp, chained } from '../api/audit/helpers'

/** The auditor's CLI commands on real PostgreSQL, with the projector running beside them. */
t.test('projections rebuild resets read models under live runners and they come back identical', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  await member(app, runtime, admin)
  await auditCaughtUp(runtime)
  const db = runtime.db.kysely
  const snapshot = async () => ({
    audit: await db.selectFrom('audit_log').selectAll().orderBy('id').execute(),
    users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
  })
  const before = await snapshot()
  t.ok(before.audit.length > 5)

  // a changed row can only come back through a rebuild
  await db.updateTable('audit_log').set({ action: 'tampered' }).where('id', '=', before.audit[0]!.id).execute()
  t.same(await rebuildProjections(db, ['audit_log']), ['audit_log'])
  await auditCaughtUp(runtime)
  t.same((await snapshot()).audit, before.audit, 'the audit log is rebuilt row for row, nothing twice')

  await db.updateTable('users').set({ full_name: 'tampered' }).execute()
  const all = await rebuildProjections(db, [])
  t.ok(all.includes('users') && all.includes('audit_log') && !all.includes('event_chain'), 'no name: every projection, never the chain')
  await eventually(async () => JSON.stringify(await snapshot()) === JSON.stringify(before))
  t.pass('every read model came back identical')
  await t.rejects(rebuildProjections(db, ['event_chain']), UnknownProjection, 'the chain is refused')
  await t.rejects(rebuildProjections(db, ['nope']), UnknownProjection)
})

t.test('replay builds the read models as of a past moment in a schema of their own', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  const s = await signup(app)
  await projected(runtime, s.approval_request.id)
  await new Promise((r) => setTimeout(r, 50))
  const until = new Date()
  await new Promise((r) => setTimeout(r, 50))
  const decided = await app.inject({ method: 'POST', url: `/api/admin/approval-requests/${s.approval_request.id}/decide`, headers: bearer(admin.access_token), payload: { decision: 'approve' } })
  t.equal(decided.statusCode, 200)
  await auditCaughtUp(runtime)
  const db = runtime.db.kysely

  const { events } = await replay(db, runtime.store, until, 'replay_before_approval')
  t.equal(events, (await allEvents(runtime)).filter((e) => e.recorded_at <= until).length, 'every event up to the moment')
  const past = await db.withSchema('replay_before_approval').selectFrom('users').select('status').where('id', '=', s.user.id).executeTakeFirstOrThrow()
  t.equal(past.status, 'pending', 'then: pending')
  t.equal((await db.selectFrom('users').select('status').where('id', '=', s.user.id).executeTakeFirstOrThrow()).status, 'approved', 'now: approved, untouched')
  const pastActions = (await db.withSchema('replay_before_approval').selectFrom('audit_log').select('action').where('target_id', '=', s.user.id).execute()).map((r) => r.action)
  t.same(pastActions, ['authn_signup_requested'], 'the past audit log ends before the decision')

  t.same(await replay(db, runtime.store, until, 'replay_before_approval'), { events }, 'running it again starts from empty tables')
  const n = await sql<{ n: string }>`SELECT count(*)::text AS n FROM replay_before_approval.audit_log`.execute(db)
  t.equal(Number(n.rows[0]!.n), events, 'one audit row per replayed event')
  for (const bad of ['public', 'analytics', 'pg_temp', 'Robert); DROP TABLE users;--']) await t.rejects(replay(db, runtime.store, until, bad), BadReplaySchema, bad)
})

t.test('the CLI dispatches the auditor commands', async (t) => {
  const { runtime } = await testApp(t)
  await chained(runtime, (await allEvents(runtime)).length)
  const logged: string[] = []
  const print = (l: string) => logged.push(l)
  t.equal(await auditorCommand('audit', ['verify'], runtime.config, print), 0)
  t.match(JSON.parse(logged[0]!), { ok: true })
  t.equal(await auditorCommand('nope', [], runtime.config, print), undefined, 'not ours')
  t.equal(await auditorCommand('events', ['export'], runtime.config, print), 2, 'export without --out')
  t.equal(await auditorCommand('replay', ['--until', new Date().toISOString()], runtime.config, print), 2, 'replay without --schema')
})
