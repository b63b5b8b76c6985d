import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import t, { type Test } from 'tap'
import { openDb, type Db } from '../../src/db/connection'
import { migrateEventStore, migrateReadModel } from '../../src/db/migrate'
import { PgLeaderLocks } from '../../src/projections/leader-lock'
import type { DomainEvent } from '../../src/domain/decider'
import { projectionConsumer } from '../../src/projections/apply'
import type { Consumer } from '../../src/projections/projection'
import type { StoredEvent } from '../../src/store/event-store'
import { loadCheckpoint, ProjectionRunner, resetConsumer, type RunnerOptions } from '../../src/projections/runner'
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store'
import { eventually } from '../helpers/eventually'
import { createTestDatabase } from '../helpers/services'
import {
  createFixtureTable,
  type FixtureTables,
  fixtureConsumer,
  fixtureCounts,
  TABLE,
} from '../helpers/runner-fixture'

let db: Db
let url: string
let store: PostgresEventStore
let appended = 0
let cleanups: (() => Promise<unknown>)[] = []

// a runner left leading would keep the next test's runners on standby
async function stopRunners(): Promise<void> {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
  cleanups = []
}
t.afterEach(stopRunners)

t.before(async () => {
  url = await createTestDatabase(t, async () => {
    await stopRunners()
    await store?.close()
    await db?.close()
  })
  db = await openDb({ databaseUrl: url, dataDir: '', poolSize: 10 })
  await migrateEventStore(db.kysely)
  await migrateReadModel(db.kysely)
  await createFixtureTable(db.kysely)
  store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
})

async function appendEvents(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const n = appended++
    await store.append(
      `fixture-${randomUUID()}`,
      [{ id: randomUUID(), type: 'FixtureHappened', data: { n }, metadata: {} }],
      { expectedRevision: 'no_stream' },
    )
  }
}

/** A runner of `consumer` on the test's store (polling every 50 ms), stopped with its locks after the test. */
function newRunner(consumer: Consumer, extra: Partial<RunnerOptions> = {}): ProjectionRunner {
  const locks = (extra.locks as PgLeaderLocks | undefined) ?? new PgLeaderLocks(url)
  const r = new ProjectionRunner({ db: db.kysely, store, consumer, pollIntervalMs: 50, ...extra, locks })
  cleanups.push(async () => {
    await r.stop()
    await locks.close()
  })
  return r
}

function runner(
  opts: { failOnce?: (n: number) => boolean; delayMs?: number; locks?: PgLeaderLocks } = {},
): ProjectionRunner {
  return newRunner(fixtureConsumer(opts), { batchSize: 25, lockRetryMs: 100, locks: opts.locks })
}

async function expectExactlyOnce(t: Test, total: number): Promise<void> {
  await eventually(async () => (await fixtureCounts(db.kysely)).rows >= total)
  await new Promise((r) => setTimeout(r, 200)) // a duplicate would land meanwhile
  t.same(await fixtureCounts(db.kysely), { rows: total, distinct: total }, 'every event applied exactly once')
}

t.test('a runner applies every event once and resumes after a restart', async (t) => {
  await appendEvents(60)
  const first = runner().start()
  await expectExactlyOnce(t, 60)
  await first.stop()
  await appendEvents(40)
  runner().start()
  await expectExactlyOnce(t, 100)
})

/** Appends `count` events with the runner live; the event at `failAt` (0-based) fails its batch once. */
async function failOnceAt(t: Test, failAt: number, count: number): Promise<void> {
  // read `appended` now: it grows as the events are appended
  const failing = appended + failAt
  const failures: string[] = []
  const r = newRunner(fixtureConsumer({ failOnce: (n) => n === failing }), {
    batchSize: 25,
    onError: (err) => failures.push(err.message),
  }).start()
  await appendEvents(count)
  await expectExactlyOnce(t, appended)
  t.same(failures, [`injected failure at event ${failing}`], 'it did fail, once')
  await r.stop()
}

t.test('a throw inside a batch rolls the batch back; the retry applies it once', (t) => failOnceAt(t, 30, 50))

t.test('a batch that fails with nothing after it is applied again at once, not when the next event comes', (t) =>
  failOnceAt(t, 29, 30),
)

t.test('a runner process killed with SIGKILL mid-run: after restart no row twice and none missing', async (t) => {
  await appendEvents(400)
  const child = spawn(
    process.execPath,
    [...process.execArgv, join(__dirname, '..', 'helpers', 'runner-child.ts'), url],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let batches = 0
  child.stdout.on('data', (b: Buffer) => (batches += b.toString().split('\n').filter(Boolean).length))
  await eventually(() => batches >= 3, 30_000)
  child.kill('SIGKILL')
  await new Promise((r) => child.once('exit', r))
  const partial = await fixtureCounts(db.kysely)
  t.ok(partial.rows < appended, `killed mid-run (${partial.rows}/${appended} applied)`)
  runner().start()
  await expectExactlyOnce(t, appended)
})

t.test('two runners on one consumer: one leads, the other takes over when it stops', async (t) => {
  const a = runner({ delayMs: 5 }).start()
  const b = runner({ delayMs: 5 }).start()
  await eventually(() => a.isLeading || b.isLeading)
  await new Promise((r) => setTimeout(r, 300))
  t.not(a.isLeading, b.isLeading, 'exactly one leads')
  const [leader, standby] = a.isLeading ? [a, b] : [b, a]
  await appendEvents(50)
  await leader.stop()
  await appendEvents(50)
  await eventually(() => standby.isLeading, 5_000)
  await expectExactlyOnce(t, appended)
})

t.test('a rebuild from position 0 while runners are live gives identical rows', async (t) => {
  const snapshot = async () =>
    (
      await sql<{ event_id: string; n: number }>`SELECT event_id, n FROM runner_fixture_rows ORDER BY n`.execute(
        db.kysely,
      )
    ).rows
  const before = await snapshot()
  t.ok(before.length > 0)
  runner().start()
  runner().start()
  await new Promise((r) => setTimeout(r, 300)) // idle and caught up: the reset must still be noticed
  await resetConsumer(db.kysely, fixtureConsumer())
  await expectExactlyOnce(t, appended)
  t.same(await snapshot(), before)
})

t.test(
  'batches with nothing for a consumer open no transaction; the checkpoint follows now and then; a restart applies nothing twice',
  async (t) => {
    const name = `sparse_${randomUUID().slice(0, 8)}`
    const sparse = projectionConsumer<DomainEvent<'Wanted'>, FixtureTables>({
      name,
      tables: [],
      canHandle: ['Wanted'],
      project: (e) => [{ kind: 'insert', table: TABLE, row: { event_id: e.id, stream: name, n: -1 } }],
    })
    const stored = async () => (await loadCheckpoint(db.kysely, name)).position
    const sparseRows = async () =>
      Number(
        (
          await sql<{ n: string }>`SELECT count(*)::text AS n FROM runner_fixture_rows WHERE stream = ${name}`.execute(
            db.kysely,
          )
        ).rows[0]!.n,
      )
    const append = async (type: string, n: number) => {
      let last = ''
      for (let i = 0; i < n; i++)
        last = (
          await store.append(`sparse-${randomUUID()}`, [{ id: randomUUID(), type, data: {}, metadata: {} }], {
            expectedRevision: 'no_stream',
          })
        ).position
      return last
    }
    const start = async (idleCheckpointMs: number) => newRunner(sparse, { batchSize: 25, idleCheckpointMs }).start()

    const lazy = await start(60_000)
    const from = await stored()
    const unwanted = await append('Unwanted', 30)
    await eventually(() => lazy.position === unwanted)
    t.equal(await stored(), from, 'nothing for it in 30 events: no checkpoint written')
    const wanted = await append('Wanted', 1)
    await eventually(async () => (await stored()) === wanted)
    t.equal(await sparseRows(), 1, 'the wanted event applied with its checkpoint')
    await stopRunners()

    const eager = await start(0)
    const later = await append('Unwanted', 5)
    await eventually(async () => (await stored()) === later)
    t.equal(eager.position, later, 'with idleCheckpointMs 0 the checkpoint follows every batch')
    await stopRunners()
    await start(60_000)
    await append('Unwanted', 3)
    await new Promise((r) => setTimeout(r, 300))
    t.equal(await sparseRows(), 1, 'restarted from its checkpoint: still one row')
  },
)

t.test('an increment that finds no row is reported once its batch commits', async (t) => {
  const name = `missed_${randomUUID().slice(0, 8)}`
  const counter = projectionConsumer<DomainEvent<'Counted'>, FixtureTables>({
    name,
    tables: [],
    canHandle: ['Counted'],
    // a count on a row nobody inserted
    project: (e) => [{ kind: 'update', table: TABLE, where: { event_id: e.id }, set: { n: { increment: 1 } } }],
  })
  const reported: { consumer: string; tables: string[] }[] = []
  newRunner(counter, {
    onMissed: (consumer, missed) => reported.push({ consumer, tables: missed.map((m) => m.table) }),
  }).start()
  const { position } = await store.append(
    `counted-${randomUUID()}`,
    [{ id: randomUUID(), type: 'Counted', data: {}, metadata: {} }],
    { expectedRevision: 'no_stream' },
  )
  // the report follows the commit: a reader can see the checkpoint a moment before the runner reports
  await eventually(async () => reported.length > 0 && (await loadCheckpoint(db.kysely, name)).position === position)
  t.same(reported, [{ consumer: name, tables: [TABLE] }])
})

t.test("an idle leader's look at its checkpoint waits on no lock", async (t) => {
  const name = `watch_${randomUUID().slice(0, 8)}`
  const quiet = projectionConsumer<DomainEvent<'Never'>, FixtureTables>({
    name,
    tables: [],
    canHandle: ['Never'],
    project: () => [],
  })
  const r = newRunner(quiet, { checkpointCheckMs: 50 }).start()
  await eventually(() => r.isLeading)
  await loadCheckpoint(db.kysely, name)
  // a transaction holds the checkpoint row, as the runner's own batch does while it applies
  const holder = new pg.Client({ connectionString: url })
  await holder.connect()
  t.teardown(() => holder.end())
  await holder.query('BEGIN')
  await holder.query(`UPDATE projection_checkpoints SET updated_at = now() WHERE name = $1`, [name])
  await new Promise((resolve) => setTimeout(resolve, 500))
  const { rows } = await holder.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%projection_checkpoints%'`,
  )
  await holder.query('ROLLBACK')
  t.equal(rows[0]!.n, '0', 'ten looks in 500 ms, none waiting on the row')
})

t.test("a replayable consumer's batches commit without waiting on the WAL flush; any other's wait", async (t) => {
  const seen: Record<string, string[]> = { replayable: [], other: [] }
  const probe = (kind: 'replayable' | 'other'): Consumer => ({
    name: `commit_${kind}_${randomUUID().slice(0, 8)}`,
    replayable: kind === 'replayable',
    async handle(trx) {
      const { rows } = await sql<{ mode: string }>`SELECT current_setting('synchronous_commit') AS mode`.execute(trx)
      seen[kind]!.push(rows[0]!.mode)
    },
  })
  newRunner(probe('replayable')).start()
  newRunner(probe('other')).start()
  await appendEvents(3)
  await eventually(() => seen.replayable!.length > 0 && seen.other!.length > 0)
  t.same(new Set(seen.replayable), new Set(['off']), 'replayable: off in its batches')
  t.same(new Set(seen.other), new Set(['on']), 'the rest: the server default, on')
  // SET LOCAL ends with the transaction: the pool's next user has the default again
  const { rows } = await sql<{ mode: string }>`SELECT current_setting('synchronous_commit') AS mode`.execute(db.kysely)
  t.equal(rows[0]!.mode, 'on')
})

t.test(
  'the next batch is read and projected while the one before it is written; writes stay one at a time, in order',
  async (t) => {
    const log: string[] = []
    const batches = new Map<StoredEvent[], number>()
    const slow: Consumer = {
      name: `overlap_${randomUUID().slice(0, 8)}`,
      wants(events) {
        batches.set(events, batches.size)
        log.push(`project ${batches.get(events)}`)
        return true
      },
      async handle(trx, events) {
        log.push(`write ${batches.get(events)} begins`)
        await sql`SELECT pg_sleep(0.1)`.execute(trx)
        log.push(`write ${batches.get(events)} ends`)
        written += ours(events)
      },
    }
    let written = 0
    // the 75 events of this test are those from `base` on; the head may be reported short (below), so
    // the runner may start a little before them
    const base = appended
    const from = await store.head()
    await appendEvents(75)
    // the feed is gap-safe cluster-wide: a transaction another test file holds open keeps some of the
    // 75 out of reach, and a first batch cut short by it is the live feed, which waits for its commit
    // (leader-term.ts). Once all 75 read, they stay readable: the first batch is a full one.
    const ours = (events: StoredEvent[]) => events.filter((e) => (e.data as { n?: number }).n! >= base).length
    await eventually(async () => ours(await store.readAll({ after: from, limit: 1000 })) === 75)
    // starts after the events it reads: position 0 is the whole test file's feed, so start where they begin
    await db.kysely.insertInto('projection_checkpoints').values({ name: slow.name, position: from }).execute()
    newRunner(slow, { batchSize: 25 }).start()
    // counted, not compared with the store's head: with a transaction open elsewhere in the cluster,
    // the head the store reports may still be short of the last of them
    await eventually(() => written === 75)
    t.ok(log.indexOf('project 1') < log.indexOf('write 0 ends'), 'batch 1 projected while batch 0 was written')
    // the shared feed may cut the 75 events elsewhere than every 25th (what it holds in memory ends where it ends)
    const writes = log.filter((l) => l.startsWith('write'))
    t.ok(batches.size >= 3)
    t.same(
      writes,
      [...batches.values()].flatMap((k) => [`write ${k} begins`, `write ${k} ends`]),
    )
  },
)
