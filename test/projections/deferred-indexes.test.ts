import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import t from 'tap'
import type { Database } from '../../src/db/database'
import type { DomainEvent } from '../../src/domain/decider'
import { projectionConsumer } from '../../src/projections/apply'
import { consumers } from '../../src/projections'
import { deferIndexes, hasDeferredIndexes, restoreIndexes } from '../../src/projections/deferred-indexes'
import type { Consumer } from '../../src/projections/projection'
import { START } from '../../src/store/event-store'
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store'
import { analysed } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { BuildDb } from '../helpers/build-db'

/**
 * A build from position 0 may go without its tables' secondary indexes and
 * make them at the end (projections/deferred-indexes.ts). Each test has a
 * table of its own: a unique key that stays, two indexes that may go (one
 * partial), and a consumer whose rows count the indexes its batches saw.
 */

interface Built {
  [table: string]: { id: string; kind: string; n: number; seen: number }
}

const b = new BuildDb(t)

/** A fresh table and a consumer of `type` events into it; `defer` as the projection would declare it. */
async function fixture(defer: boolean) {
  const table = `built_${randomUUID().slice(0, 8)}`
  const type = `Built_${table}`
  await sql`CREATE TABLE ${sql.id(table)} (id uuid PRIMARY KEY, kind text NOT NULL, n int NOT NULL, seen int NOT NULL)`.execute(
    b.db.kysely,
  )
  await sql`CREATE INDEX ${sql.id(`${table}_by_kind`)} ON ${sql.id(table)} (kind, n)`.execute(b.db.kysely)
  await sql`CREATE INDEX ${sql.id(`${table}_odd`)} ON ${sql.id(table)} (n) WHERE n % 2 = 1`.execute(b.db.kysely)
  const inner = projectionConsumer<DomainEvent<string, { n: number }>, Built>({
    name: table,
    tables: [table],
    canHandle: [type],
    deferIndexes: defer,
    // `seen` is filled in by handle below
    project: (e) => [{ kind: 'insert', table, row: { id: e.id, kind: 'k', n: e.data.n, seen: -1 } }],
  })
  const consumer: Consumer = {
    ...inner,
    // each batch records how many indexes its transaction saw on the table, after its own insert
    async handle(trx, events) {
      const missed = await inner.handle(trx, events)
      await sql`UPDATE ${sql.id(table)} SET seen = (SELECT count(*) FROM pg_indexes WHERE tablename = ${table})
                 WHERE seen = -1`.execute(trx)
      return missed
    },
  }
  return { table, type, consumer }
}

const indexes = async (k: Kysely<Database>, table: string) =>
  (
    await sql<{
      def: string
    }>`SELECT indexdef AS def FROM pg_indexes WHERE tablename = ${table} ORDER BY indexname`.execute(k)
  ).rows.map((r) => r.def)

/** The runner has applied every event of `table` and made again whatever it deferred. */
async function built(table: string, count: number): Promise<void> {
  await eventually(async () => (await b.rows(table)) === count && !(await hasDeferredIndexes(b.db.kysely, table)))
}

const seenBy = async (table: string) =>
  (
    await sql<{
      seen: number
      rows: string
    }>`SELECT seen, count(*) AS rows FROM ${sql.id(table)} GROUP BY seen ORDER BY seen`.execute(b.db.kysely)
  ).rows.map((r) => ({ seen: r.seen, rows: Number(r.rows) }))

t.test(
  'a build from position 0 goes without the secondary indexes and makes them again, the same, once caught up',
  async (t) => {
    const { table, type, consumer } = await fixture(true)
    const before = await indexes(b.db.kysely, table)
    t.equal(before.length, 3)
    await b.append(type, 95)
    // caught up when a batch comes short (95 = 4 × 20 + 15), not after a quiet minute
    b.runner(consumer, { batchSize: 20, checkpointCheckMs: 60_000 })
    await built(table, 95)
    t.same(await indexes(b.db.kysely, table), before, 'the same three indexes, by definition')
    const seen = await seenBy(table)
    // the first batch at least (a transaction held open elsewhere may cut a later one short, which ends the build early)
    t.equal(seen[0]!.seen, 1, 'the build saw only the unique key')
    t.ok(seen[0]!.rows >= 20, 'a full batch at least')
    const { rows } = await sql<{ ok: boolean }>`SELECT bool_and(indisvalid AND indisready) AS ok FROM pg_index
                       WHERE indrelid = to_regclass(${table})`.execute(b.db.kysely)
    t.equal(rows[0]!.ok, true, 'each index valid and ready')
  },
)

t.test('a projection that does not say it may keeps its indexes through a build', async (t) => {
  const { table, type, consumer } = await fixture(false)
  await b.append(type, 30)
  b.runner(consumer, { batchSize: 20 })
  await built(table, 30)
  t.same(await seenBy(table), [{ seen: 3, rows: 30 }])
})

t.test('a build analyses its tables once caught up, indexes deferred or not', async (t) => {
  const { table, type, consumer } = await fixture(false)
  await b.append(type, 30)
  // a store of its own, as below: where the test store's window ends a batch may come short, and
  // "caught up" would come before this test's events (an empty table has no statistics to gather)
  const own = new PostgresEventStore({ pool: b.db.pool, notifier: b.db.notifier })
  b.runner(consumer, { store: own, batchSize: 20 })
  await built(table, 30)
  await eventually(() => analysed(b.db.kysely, table))
  t.pass('the planner has statistics on its columns')
})

t.test('a runner whose first batch is short (a small history, or the live feed) analyses nothing', async (t) => {
  const { table, type, consumer } = await fixture(false)
  await b.append(type, 10)
  // its own store: its first batch is the whole store, this test's events with it
  const own = new PostgresEventStore({ pool: b.db.pool, notifier: b.db.notifier })
  b.runner(consumer, { store: own, batchSize: 1_000_000, checkpointCheckMs: 20 })
  await built(table, 10)
  // quiet ticks pass, and so would an ANALYZE once queued
  await new Promise((r) => setTimeout(r, 300))
  t.notOk(await analysed(b.db.kysely, table))
})

t.test('a build that ends on a full batch makes its indexes once the feed has been quiet a while', async (t) => {
  const { table, type, consumer } = await fixture(true)
  const before = await indexes(b.db.kysely, table)
  // the store's events, a whole number of batches of 20: the build's last batch is full
  const count = 40 + ((20 - ((await b.stored()) % 20)) % 20)
  await b.append(type, count)
  t.equal((await b.stored()) % 20, 0)
  // a store of its own: the test's store keeps the feed's last 1,000 events in memory, and where
  // that window ends a batch may come short; this one reads from the start in whole batches
  const own = new PostgresEventStore({ pool: b.db.pool, notifier: b.db.notifier })
  b.runner(consumer, { store: own, batchSize: 20, checkpointCheckMs: 50 })
  await built(table, count)
  t.same(await indexes(b.db.kysely, table), before)
  t.equal((await seenBy(table))[0]!.seen, 1, 'deferred')
  await eventually(() => analysed(b.db.kysely, table))
  t.pass('analysed too, with no short batch to say it caught up')
})

t.test('indexes a crashed build left deferred are made by the next runner once it has caught up', async (t) => {
  const { table, type, consumer } = await fixture(true)
  const before = await indexes(b.db.kysely, table)
  await b.append(type, 10)
  // as a build that crashed would leave it: indexes gone and listed on its checkpoint row
  await b.db.kysely.insertInto('projection_checkpoints').values({ name: table, position: START }).execute()
  await b.db.kysely.transaction().execute((trx) => deferIndexes(trx, table, [table]))
  t.equal((await indexes(b.db.kysely, table)).length, 1)
  t.ok(await hasDeferredIndexes(b.db.kysely, table))
  b.runner(consumer, { batchSize: 500 })
  await built(table, 10)
  t.same(await indexes(b.db.kysely, table), before)
})

t.test(
  'the read models that defer their indexes keep their unique keys through a build, and get the rest back the same',
  async (t) => {
    const deferring = consumers().filter((c) => c.deferIndexes === true)
    // attendance: the mark's id and one mark per member per club event stay, as the invariant needs
    t.same(deferring.map((c) => c.name).sort(), ['attendance_records', 'audit_log'])
    for (const c of deferring) {
      const tables = c.tables ?? []
      const before = (await Promise.all(tables.map((table) => indexes(b.db.kysely, table)))).flat()
      await b.db.kysely.insertInto('projection_checkpoints').values({ name: c.name, position: START }).execute()
      await b.db.kysely.transaction().execute((trx) => deferIndexes(trx, c.name, tables))
      const during = (await Promise.all(tables.map((table) => indexes(b.db.kysely, table)))).flat()
      t.same(
        during,
        before.filter((d) => d.startsWith('CREATE UNIQUE INDEX')),
        `${c.name}: only its unique keys during a build`,
      )
      t.ok(during.length > 0 && during.length < before.length, `${c.name}: some go, some stay`)
      await restoreIndexes(b.db.kysely, c.name)
      t.same(
        (await Promise.all(tables.map((table) => indexes(b.db.kysely, table)))).flat(),
        before,
        `${c.name}: all back`,
      )
    }
  },
)
