import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sql } from 'kysely'
import type { Test } from 'tap'
import { planImport } from '../../../src/domain/legacy/plan'
import { sourceKey } from '../../../src/domain/legacy/source-key'
import { writePlan } from '../../../src/commands/legacy/write'
import { importCommand } from '../../../src/platform/cli/legacy-import'
import { auditVerifyCommand } from '../../../src/platform/cli/audit-verify'
import { readLegacySource, uploadedFiles } from '../../../src/platform/legacy/source'
import type { Runtime } from '../../../src/runtime'
import { eventually } from '../eventually'
import { testApp } from '../runtime'
import { createTestDatabase } from '../services'
import { createPgFixture, createSqliteFixture, createUploads } from './build'
import { expected, statuses } from './expected'
import { credentials, legacyData, legacyUuid } from './messy'
import type { LegacyVersion } from './schemas'

interface ReportJson {
  report: { tables: Record<string, { rows: number; imported: number; skipped: Record<string, number> }> }
  conflicts: { detail: string }[]
  caught_up: boolean
  verified: { table: string; model: string; expected: number; found: number }[]
  written: { appended: number }
}

export type Engine = 'sqlite' | 'postgres'

/** The fixture of `version` on `engine`, and its uploads directory: the `--from` and `--uploads` of an import. */
async function fixture(t: Test, version: LegacyVersion, engine: Engine): Promise<{ from: string; uploads: string }> {
  const dir = t.testdir({ uploads: {} })
  await createUploads(version, join(dir, 'uploads'))
  if (engine === 'sqlite') {
    await createSqliteFixture(version, join(dir, 'portal.db'))
    return { from: `sqlite:${join(dir, 'portal.db')}`, uploads: join(dir, 'uploads') }
  }
  const url = await createTestDatabase(t)
  await createPgFixture(version, url)
  return { from: url, uploads: join(dir, 'uploads') }
}

async function storedEvents(runtime: Runtime): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM es_events`.execute(runtime.db.kysely)
  return Number(rows[0]!.n)
}

/** Runs the CLI's import in this process; its JSON report parsed. */
async function runImport(runtime: Runtime, args: string[]) {
  let out = ''
  const code = await importCommand(
    [...args, '--json'],
    runtime.config,
    (l) => (out += l),
    () => undefined,
  )
  return { code, report: JSON.parse(out) as ReportJson }
}

/**
 * Issue 16's tests for one engine, each schema version: dry run, an import
 * cut off and resumed, counts that match, old passwords that log in, a second
 * import that adds nothing, the legacy audit log in order under a chain that
 * verifies, and a conflicting account that stops the import before any write.
 */
export function importSuite(t: Test, engine: Engine): void {
  for (const version of ['v1', 'v2'] as const) {
    t.test(`${version} on ${engine}`, async (t) => {
      const { from, uploads } = await fixture(t, version, engine)
      const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
      const want = expected(version)
      const args = ['--from', from, '--uploads', uploads]

      const dry = await runImport(runtime, [...args, '--dry-run'])
      t.equal(dry.code, 0, 'the dry run succeeds')
      t.equal(await storedEvents(runtime), 0, 'the dry run writes nothing')
      for (const [table, outcome] of Object.entries(want.tables)) {
        const got = dry.report.report.tables[table]
        t.same(
          { rows: got?.rows, imported: got?.imported, skipped: got?.skipped },
          { rows: outcome.rows, imported: outcome.imported, skipped: outcome.skipped },
          `${table}: rows, imported and skipped`,
        )
      }
      t.notMatch(JSON.stringify(dry.report), /\$2[aby]\$|hunter2|sha256\$/, 'no hash or secret in the report')

      // an import cut off halfway: half its appends made, then the whole import again
      const snapshot = await readLegacySource(from)
      const plan = planImport(
        snapshot,
        {
          source: sourceKey(snapshot),
          now: new Date(),
          approvalTimeoutMs: 180_000,
          eventDurationMinutes: 120,
          uploadsDir: uploads,
        },
        await uploadedFiles(uploads),
      )
      const half = { ...plan, appends: plan.appends.slice(0, Math.floor(plan.appends.length / 2)) }
      await writePlan(
        { store: runtime.store, blobs: runtime.resources.blobs, maxBytes: runtime.resources.maxBytes },
        half,
        uploads,
      )
      t.ok((await storedEvents(runtime)) > 0, 'the cut-off run stored part of the history')

      const first = await runImport(runtime, args)
      t.equal(first.code, 0, 'the resumed import succeeds', {
        report: first.report.verified,
        written: first.report.written,
      })
      t.same(first.report.conflicts, [])
      t.ok(first.report.caught_up, 'the read models caught up')
      for (const v of first.report.verified) t.equal(v.found, v.expected, `verify: ${v.table} → ${v.model}`)
      const total = await storedEvents(runtime)
      t.equal(
        total,
        plan.appends.reduce((n, a) => n + a.events.length, 0),
        'every planned event stored once',
      )

      const db = runtime.db.kysely
      const count = async (
        table: 'users' | 'club_events' | 'attendance_records' | 'qr_sessions' | 'notifications' | 'resources',
      ) =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        )
      t.equal(await count('users'), want.counts.users, 'users')
      t.equal(await count('club_events'), want.counts.club_events, 'club events, deleted ones included')
      t.equal(await count('attendance_records'), want.counts.attendance_records, 'attendance')
      t.equal(await count('qr_sessions'), want.counts.qr_sessions, 'QR sessions')
      t.equal(
        await count('notifications'),
        want.counts.notifications,
        'notifications: the imported ones, none made anew',
      )
      t.equal(await count('resources'), want.counts.resources, 'resources')
      const deleted = await db.selectFrom('club_events').select('id').where('deleted_at', 'is not', null).execute()
      t.equal(deleted.length, want.counts.club_events_deleted, 'deleted club events')

      const rows = await db.selectFrom('users').select(['email', 'status']).execute()
      t.same(
        Object.fromEntries(rows.map((r) => [r.email, r.status])),
        statuses(version),
        'each account ends where the portal left it',
      )

      let adminToken = ''
      for (const c of credentials(version)) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: c.email, password: c.password },
        })
        if (res.statusCode === 200 && c.email === 'admin@dsclub.com') adminToken = res.json().access_token
        t.equal(
          res.statusCode === 200,
          c.canLogIn,
          `${c.email} ${c.canLogIn ? 'logs in' : 'cannot log in'} with the old password (${res.statusCode})`,
        )
      }

      // the legacy id stays searchable: the portal's first admin, by its legacy id and by ours
      const legacyAdmin = String(legacyData(version).users![0]!.id)
      const legacyId = engine === 'postgres' && version === 'v2' ? legacyUuid(legacyAdmin) : legacyAdmin
      const found = await app.inject({
        url: `/api/admin/legacy-ids?id=${encodeURIComponent(legacyId)}`,
        headers: { authorization: `Bearer ${adminToken}` },
      })
      t.equal(found.statusCode, 200)
      const user = found.json().items.find((i: { legacy_table: string }) => i.legacy_table === 'users')
      t.match(user, { legacy_id: legacyId, entity_type: 'user' }, 'the legacy admin is found by its legacy id')
      const back = await app.inject({
        url: `/api/admin/legacy-ids?id=${user?.entity_id}`,
        headers: { authorization: `Bearer ${adminToken}` },
      })
      t.ok(
        back.json().items.some((i: { legacy_id: string }) => i.legacy_id === legacyId),
        'and by its id here',
      )
      for (const [url, status, code] of [
        ['/api/admin/legacy-ids', 400, 'validation_error'],
        [`/api/admin/legacy-ids?id=${'x'.repeat(301)}`, 400, 'validation_error'],
        ['/api/admin/legacy-ids?id=1&limit=0', 400, 'validation_error'],
      ] as const) {
        const bad = await app.inject({ url, headers: { authorization: `Bearer ${adminToken}` } })
        t.match(
          { status: bad.statusCode, body: bad.json() },
          { status, body: { code, detail: String } },
          `${url}: ${status}`,
        )
      }
      t.equal((await app.inject({ url: '/api/admin/legacy-ids?id=1' })).statusCode, 401, 'no caller: 401')

      // --verify alone, as a person reads it: the report's table, every problem, and the counts
      let human = ''
      const verified = await importCommand(
        [...args, '--verify'],
        runtime.config,
        (l) => (human += l),
        () => undefined,
      )
      t.equal(verified, 0, '--verify alone: every count matches')
      t.match(human, /^verify of /, 'says what it did')
      t.match(human, /legacy table\s+rows\s+imported\s+skipped/, 'a line per legacy table')
      t.match(human, /verify: legacy table\s+read model\s+expected\s+found/, 'the counts')
      t.notMatch(human, /MISMATCH/, 'none differs')
      if (want.tables.users.skipped.duplicate_email)
        t.match(human, /skipped users \S+: duplicate_email: /, 'each problem, one line')
      t.notMatch(human, /\$2[aby]\$|hunter2/, 'no hash or secret printed')

      const beforeAgain = await storedEvents(runtime)
      const again = await runImport(runtime, args)
      t.equal(again.code, 0, 'a second import succeeds')
      t.equal(again.report.written.appended, 0, 'and appends nothing')
      t.equal(await storedEvents(runtime), beforeAgain, 'the store holds no event twice')

      const legacy = legacyData(version).audit_logs ?? []
      // the audit view, as an auditor reads it: newest first, every page
      const view: { at: string; action: string; event_type: string; details: unknown }[] = []
      for (let cursor: string | null = ''; cursor !== null;) {
        const page = await app.inject({
          url: `/api/admin/audit-logs?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
          headers: { authorization: `Bearer ${adminToken}` },
        })
        t.equal(page.statusCode, 200)
        const body = page.json() as { items: typeof view; next_cursor: string | null }
        view.push(...body.items)
        cursor = body.next_cursor
      }
      const audit = view.filter((a) => a.event_type === 'LegacyAuditRecorded').reverse()
      t.ok(
        view.some((a) => a.event_type === 'SignupRequested'),
        'beside what the import made of the same history',
      )
      t.equal(audit.length, want.counts.audit_entries, 'the legacy audit log, one entry per row')
      const order = [...legacy].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)))
      t.same(
        audit.map((a) => a.action),
        order.map((r) => `legacy_${String(r.action)}`),
        'in the order the portal wrote it',
      )
      t.notMatch(JSON.stringify(audit), /hunter2/, 'secrets in legacy details are redacted')
      let chain = ''
      // the chain's consumer links the imported events as the feed reaches it
      await eventually(async () => (await auditVerifyCommand(runtime, (l) => (chain = l))) === 0)
      t.match(JSON.parse(chain), { ok: true }, 'audit verify holds over the imported history')
      const uploaded = await db.selectFrom('resources').select(['id', 'size', 'sha256']).execute()
      for (const r of uploaded) t.ok(r.size > 0, `resource ${r.id} has its bytes`)
      t.ok(
        await readFile(join(uploads, (await uploadedFiles(uploads)).values().next().value!)),
        'the uploads are left as they were',
      )
    })
  }

  t.test(`an account that exists here stops the import (${engine})`, async (t) => {
    const { from, uploads } = await fixture(t, 'v2', engine)
    const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
    const taken = credentials('v2').find((c) => c.canLogIn)!
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: taken.email.trim(), password: 'Another-Person-9-Pass', full_name: 'Someone Else' },
    })
    t.equal(res.statusCode, 200, 'another person holds the address here')
    const before = await storedEvents(runtime)
    const run = await runImport(runtime, ['--from', from, '--uploads', uploads])
    t.equal(run.code, 3, 'the import stops')
    t.equal(run.report.conflicts.length, 1, 'naming the one conflict')
    t.match(run.report.conflicts[0]?.detail, /exists here/)
    t.equal(await storedEvents(runtime), before, 'nothing was written')
  })
}
