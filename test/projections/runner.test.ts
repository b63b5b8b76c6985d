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

t.test('a throw inside a batch rolls the batch back; the retry applies it once', async (t) => {
  const r = runner({ failOnce: (n) => n === appended + 30 }).start()
  await appendEvents(50)
  await expectExactlyOnce(t, appended)
  await r.stop()
})

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
    const stored = () => loadCheckpoint(db.kysely, name)
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
  await eventually(async () => reported.length > 0 && (await loadCheckpoint(db.kysely, name)) === position)
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
