import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findConflicts, writePlan } from '../src/commands/legacy/write'
import { loadConfig } from '../src/config'
import { planImport } from '../src/domain/legacy/plan'
import { LEGACY_TABLES, type LegacySnapshot } from '../src/domain/legacy/snapshot'
import { sourceKey } from '../src/domain/legacy/source-key'
import { readPostgres } from '../src/platform/legacy/postgres-source'
import { readLegacySource, uploadedFiles } from '../src/platform/legacy/source'
import { readSqlite } from '../src/platform/legacy/sqlite-source'
import { verifyImport } from '../src/projections/legacy/verify'
import { caughtUp } from '../src/platform/cli/legacy-import'
import { type Runtime, createRuntime } from '../src/runtime'
import { type GeneratorSizes, generateV2Postgres, generateV2Sqlite } from '../test/helpers/legacy/generate'
import { bareFeedRead, fmt, numberArg, printTable, type Row, withBenchDatabase } from './lib'

/**
 * `npm run bench:import`: the legacy import (npm run cli -- import) on a
 * generated v2 portal database, step by step, into a fresh PostgreSQL event
 * store: reading the source (SQLite, and once PostgreSQL), planning, writing,
 * the read models catching up, a second run of the same plan (must append
 * nothing) and the verify. Each figure beside a baseline from the same run:
 * the engine's bare read of the same tables (what readLegacySource adds to
 * it), and, on the same store, as many single-event `no_stream` appends of a
 * small synthetic event, 64 in flight as the import has, and a bare
 * subscriber reading the whole feed (what the projections add to reading it).
 *
 * Sizes: BENCH_IMPORT_USERS / _EVENTS / _ATTENDANCE, or --users / --events /
 * --attendance N (defaults 10,000 / 200 / 100,000).
 */
const size = (name: keyof GeneratorSizes, fallback: number) =>
  numberArg(name, Number(process.env[`BENCH_IMPORT_${name.toUpperCase()}`] ?? fallback))
const SIZES: GeneratorSizes = {
  users: size('users', 10_000),
  events: size('events', 200),
  attendance: size('attendance', 100_000),
}
/** writePlan's appends in flight (commands/legacy/write.ts): the baseline appends as many at once */
const IN_FLIGHT = 64
/** what the CLI gives the read models to catch up (platform/cli/legacy-import.ts) */
const CATCH_UP_MS = 15 * 60_000
const MIB = 1024 * 1024

export const IMPORT_TITLE = `Legacy import (v2 portal: ${fmt(SIZES.users)} users, ${fmt(SIZES.events)} events, ${fmt(SIZES.attendance)} attendance; PostgreSQL store, projector role)`

const log = (line: string) => process.stderr.write(`legacy-import bench: ${line}\n`)

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; s: number }> {
  const started = performance.now()
  const value = await fn()
  return { value, s: (performance.now() - started) / 1000 }
}

/** this process' peak resident set so far (Linux), in MiB, or its current one */
function peakRssMib(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) / 1024
  } catch {
    // not Linux
  }
  return process.memoryUsage.rss() / MIB
}

/** a snapshot's row counts, table by table in one order whichever engine listed them */
const countsOf = (s: LegacySnapshot) => JSON.stringify(LEGACY_TABLES.map((t) => [t, s.rows[t] ?? 0]))

const rowsRead = (s: LegacySnapshot) => Object.values(s.rows).reduce((n: number, r) => n + (r ?? 0), 0)

/** `total` single-event no_stream appends on new streams, IN_FLIGHT at once: the store's own append rate */
async function rawAppends(runtime: Runtime, total: number): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, total) }, async () => {
      while (next < total) {
        const n = next++
        await runtime.store.append(
          `bench-${randomUUID()}`,
          [{ id: randomUUID(), type: 'BenchProbe', data: { n, at: new Date().toISOString() }, metadata: {} }],
          { expectedRevision: 'no_stream' },
        )
      }
    }),
  )
  return (performance.now() - started) / 1000
}

interface Read {
  s: number
  raw: number
  rows: number
  key: string
  counts: string
}

/** the engine's bare read of the tables (baseline), then readLegacySource: the figure */
async function measureRead(
  from: string,
  raw: () => Promise<unknown>,
): Promise<{ read: Read; snapshot: LegacySnapshot }> {
  const bare = await timed(raw)
  const { value: snapshot, s } = await timed(() => readLegacySource(from))
  const read = { s, raw: bare.s, rows: rowsRead(snapshot), key: sourceKey(snapshot), counts: countsOf(snapshot) }
  return { read, snapshot }
}

function runtimeConfig(databaseUrl: string) {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    QR_SIGNING_SECRET: randomBytes(32).toString('hex'),
  })
}

export async function benchLegacyImport(): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'dscp-bench-import-'))
  const file = join(dir, 'portal-v2.db')
  const failures: string[] = []
  const rows: Row[] = []
  const rate = (n: number, s: number, unit: string) => `${fmt(s, 2)} s (${fmt(n / s)} ${unit}/s)`
  const pct = (ours: number, base: number) => `${fmt((ours / base) * 100)} %`
  let sqliteRead: Read | undefined
  try {
    log(`generating the SQLite portal database (${JSON.stringify(SIZES)})…`)
    const generated = await timed(() => generateV2Sqlite(file, SIZES))
    log(`generated in ${fmt(generated.s, 1)} s, ${fmt((await stat(file)).size / MIB, 1)} MiB`)

    await withBenchDatabase(async (databaseUrl) => {
      log('reading the SQLite source…')
      const { read, snapshot } = await measureRead(`sqlite:${file}`, () => readSqlite(file, LEGACY_TABLES))
      sqliteRead = read
      rows.push({
        what: `read SQLite source: ${fmt(read.rows)} legacy rows`,
        value: rate(read.rows, read.s, 'rows'),
        baseline: `bare sql.js read ${rate(read.rows, read.raw, 'rows')}`,
        ratio: pct(read.raw, read.s),
      })

      log('planning…')
      const uploads = await uploadedFiles(null)
      const { value: plan, s: planS } = await timed(() =>
        planImport(
          snapshot,
          {
            source: read.key,
            now: new Date(),
            approvalTimeoutMs: 180_000,
            eventDurationMinutes: 120,
            uploadsDir: null,
          },
          uploads,
        ),
      )
      const imported = Object.values(plan.report.tables).reduce((n, t) => n + t.imported, 0)
      const planned = plan.appends.reduce((n, a) => n + a.events.length, 0)
      rows.push({
        what: `plan: ${fmt(planned)} events in ${fmt(plan.appends.length)} appends`,
        value: rate(read.rows, planS, 'rows'),
      })

      const runtime = await createRuntime(runtimeConfig(databaseUrl), 'projector')
      const deps = { store: runtime.store, blobs: runtime.resources.blobs, maxBytes: runtime.resources.maxBytes }
      try {
        log('looking for conflicts…')
        const { value: conflicts, s: conflictS } = await timed(() => findConflicts(runtime.store, plan))
        for (const c of conflicts.slice(0, 5))
          failures.push(`findConflicts: ${c.table} ${c.legacy_id} (${c.stream}): ${c.reason}: ${c.detail}`)
        const checkedStreams = plan.appends.filter(
          (a) => (a.phase === 'users' || a.phase === 'club_events') && a.expected === 'no_stream',
        ).length
        rows.push({
          what: `conflict check (findConflicts): ${fmt(checkedStreams)} streams`,
          value: `${fmt(conflictS, 2)} s, ${conflicts.length} conflicts`,
          target: '0 conflicts',
          verdict: conflicts.length === 0 ? 'yes' : 'NO',
        })

        log(`writing ${fmt(planned)} events (pool ${runtime.config.dbPoolSize})…`)
        const { value: written, s: writeS } = await timed(() =>
          writePlan(deps, plan, null, (phase, done, total) =>
            done === total ? log(`  ${phase}: ${done}/${total}`) : undefined,
          ),
        )
        if (written.conflicts.length)
          failures.push(`first write: ${written.conflicts.length} conflicts, the first of them:`)
        for (const c of written.conflicts.slice(0, 5))
          failures.push(`first write: conflict ${c.table} ${c.legacy_id} (${c.stream}): ${c.reason}: ${c.detail}`)
        if (written.appended !== planned) failures.push(`first write appended ${written.appended} of ${planned} events`)

        log('waiting for the read models…')
        const { value: ok, s: lagS } = await timed(() => caughtUp(runtime, CATCH_UP_MS))
        if (!ok) failures.push(`the read models had not caught up after ${CATCH_UP_MS / 1000} s`)

        log('writing the same plan again…')
        const { value: again, s: againS } = await timed(() => writePlan(deps, plan, null))
        if (again.appended !== 0) failures.push(`second write appended ${again.appended} events`)
        if (again.conflicts.length)
          failures.push(`second write: ${again.conflicts.length} conflicts, the first of them:`)
        for (const c of again.conflicts.slice(0, 5))
          failures.push(`second write: conflict ${c.table} ${c.legacy_id} (${c.stream}): ${c.reason}: ${c.detail}`)

        // (nothing to wait for when the second run appended nothing, as it should)
        if (!(await caughtUp(runtime, CATCH_UP_MS)))
          failures.push('the read models had not caught up with the second run')
        log('verifying…')
        const { value: verified, s: verifyS } = await timed(() => verifyImport(runtime.db.kysely, plan.expected))
        const mismatched = verified.filter((v) => v.found !== v.expected)
        for (const v of mismatched)
          failures.push(`verify ${v.table} -> ${v.model}: expected ${v.expected}, found ${v.found}`)
        const checked = verified.reduce((n, v) => n + v.expected, 0)

        log('baselines: a bare subscriber over the feed, then as many raw appends…')
        const feed = await bareFeedRead(runtime.store)
        const baseS = await rawAppends(runtime, written.appended)

        const writeRate = written.appended / writeS
        const baseRate = written.appended / baseS
        rows.push(
          {
            what: `write: ${fmt(imported)} imported legacy rows`,
            value: rate(imported, writeS, 'rows'),
          },
          {
            what: `write: ${fmt(written.appended)} events, ${IN_FLIGHT} appends in flight`,
            value: `${fmt(writeRate)} events/s`,
            baseline: `${fmt(baseRate)} events/s (${fmt(written.appended)} raw appends, ${fmt(baseS, 2)} s)`,
            ratio: pct(writeRate, baseRate),
          },
          {
            what: 'read models caught up, after the write ended',
            value: `${fmt(lagS, 2)} s (${fmt(written.appended / (writeS + lagS))} events/s from write start)`,
            baseline: `bare subscriber ${rate(feed.events, feed.s, 'events')}`,
            ratio: pct(written.appended / (writeS + lagS), feed.events / feed.s),
            target: 'caught up',
            verdict: ok ? 'yes' : 'NO',
          },
          {
            what: 'second run of the same plan',
            value: `${fmt(againS, 2)} s, ${fmt(again.appended)} events appended`,
            baseline: `first run ${fmt(writeS, 2)} s`,
            ratio: pct(againS, writeS),
            target: '0 events',
            verdict: again.appended === 0 ? 'yes' : 'NO',
          },
          {
            what: `verify: ${verified.length} read models, ${fmt(checked)} rows`,
            value: `${fmt(verifyS, 2)} s, ${verified.length - mismatched.length}/${verified.length} match`,
            target: 'found = expected',
            verdict: mismatched.length === 0 ? 'yes' : 'NO',
          },
        )
      } finally {
        await runtime.close()
      }
    })

    await withBenchDatabase(async (sourceUrl) => {
      log('generating the PostgreSQL portal database…')
      await generateV2Postgres(sourceUrl, SIZES)
      log('reading the PostgreSQL source…')
      const { read } = await measureRead(sourceUrl, () => readPostgres(sourceUrl, LEGACY_TABLES))
      rows.splice(1, 0, {
        what: `read PostgreSQL source: ${fmt(read.rows)} legacy rows`,
        value: rate(read.rows, read.s, 'rows'),
        baseline: `bare pg read ${rate(read.rows, read.raw, 'rows')}`,
        ratio: pct(read.raw, read.s),
      })
      // the same generated data through either engine reads alike: the same rows, the same source key
      const same = sqliteRead?.key === read.key && sqliteRead.counts === read.counts
      if (!same)
        failures.push(
          `the PostgreSQL source reads otherwise than the SQLite one: key ${read.key} vs ${sqliteRead?.key}, rows ${read.counts} vs ${sqliteRead?.counts}`,
        )
    })

    rows.push({ what: 'peak RSS of the bench process', value: `${fmt(peakRssMib())} MiB` })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  if (failures.length) {
    printTable(IMPORT_TITLE, rows)
    throw new Error(`legacy import bench:\n  ${failures.join('\n  ')}`)
  }
  return rows
}

if (require.main === module) {
  benchLegacyImport()
    .then((rows) => printTable(IMPORT_TITLE, rows))
    .catch((err: unknown) => {
      console.error(err)
      process.exit(1)
    })
}
