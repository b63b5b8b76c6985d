import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import t from 'tap'
import type { DomainEvent } from '../../src/domain/decider'
import { projectionConsumer } from '../../src/projections/apply'
import { BuildWatch, buildingNow, markBuilding } from '../../src/projections/building'
import type { Consumer } from '../../src/projections/projection'
import { resetConsumer } from '../../src/projections/runner'
import { START } from '../../src/store/event-store'
import { BuildDb } from '../helpers/build-db'
import { eventually } from '../helpers/eventually'

/**
 * A read model built from position 0 says so on its checkpoint row while its
 * tables hold part of the history (projections/building.ts): from its first
 * batch, or the reset that emptied it, until caught up. Each test has a table
 * of its own and a consumer whose rows record whether their batch's
 * transaction saw the mark.
 */

const b = new BuildDb(t)

async function fixture() {
  const table = `partial_${randomUUID().slice(0, 8)}`
  const type = `Partial_${table}`
  await sql`CREATE TABLE ${sql.id(table)} (id uuid PRIMARY KEY, n int NOT NULL, marked int NOT NULL, gap_ms float)`.execute(
    b.db.kysely,
  )
  const inner = projectionConsumer<
    DomainEvent<string, { n: number }>,
    Record<string, { id: string; n: number; marked: number }>
  >({
    name: table,
    tables: [table],
    canHandle: [type],
    project: (e) => [{ kind: 'insert', table, row: { id: e.id, n: e.data.n, marked: -1 } }],
  })
  const consumer: Consumer = {
    ...inner,
    // each batch records whether its own transaction saw the consumer marked, and how long after the mark it began
    async handle(trx, events) {
      const missed = await inner.handle(trx, events)
      await sql`UPDATE ${sql.id(table)} SET
                  marked = (SELECT count(*) FROM projection_checkpoints WHERE name = ${table} AND building_since IS NOT NULL),
                  gap_ms = (SELECT 1000 * extract(epoch FROM now() - building_since) FROM projection_checkpoints WHERE name = ${table})
                 WHERE marked = -1`.execute(trx)
      return missed
    },
  }
  return { table, type, consumer }
}

const markedBy = async (table: string) =>
  (
    await sql<{ marked: number; rows: string }>`SELECT marked, count(*) AS rows FROM ${sql.id(table)}
      GROUP BY marked ORDER BY marked`.execute(b.db.kysely)
  ).rows.map((r) => ({ marked: r.marked, rows: Number(r.rows) }))

t.test('a build from position 0 is marked from its first batch until it has caught up', async (t) => {
  const { table, type, consumer } = await fixture()
  await b.append(type, 120)
  const changes: string[] = []
  b.runner(consumer, { batchSize: 25, buildNoticeMs: 300, onBuildChange: (name) => changes.push(name) })
  await eventually(async () => (await b.rows(table)) === 120 && !(await buildingNow(b.db.kysely)).includes(table))
  t.same(
    await markedBy(table),
    [{ marked: 1, rows: 120 }],
    "every batch's transaction saw the mark, the first one's too",
  )
  const { first } = (
    await sql<{ first: number }>`SELECT min(gap_ms) AS first FROM ${sql.id(table)}`.execute(b.db.kysely)
  ).rows[0]!
  t.ok(first >= 300, `its first rows were written ${Math.round(first)} ms after the mark: the notice (300 ms) or more`)
  t.same(changes, [table, table], 'told when it began and when it ended')
  const { building_since } = await b.db.kysely
    .selectFrom('projection_checkpoints')
    .select('building_since')
    .where('name', '=', table)
    .executeTakeFirstOrThrow()
  t.equal(building_since, null, 'unmarked once caught up')
})

t.test('a first batch that is short (a small history read whole) marks nothing', async (t) => {
  const { table, type, consumer } = await fixture()
  await b.append(type, 10)
  const changes: string[] = []
  b.runner(consumer, { batchSize: 500, onBuildChange: (name) => changes.push(name) })
  await eventually(async () => (await b.rows(table)) === 10)
  t.same(await markedBy(table), [{ marked: 0, rows: 10 }])
  t.same(changes, [])
})

t.test('a reset marks the read model at once, and its runner unmarks it once caught up', async (t) => {
  const { table, type, consumer } = await fixture()
  await b.append(type, 10)
  b.runner(consumer, { batchSize: 500, checkpointCheckMs: 100 })
  await eventually(async () => (await b.rows(table)) === 10)
  const resetting = resetConsumer(b.db.kysely, consumer, 300)
  await eventually(async () => (await buildingNow(b.db.kysely)).includes(table), 250)
  t.equal(await b.rows(table), 10, 'marked while its rows are all still there')
  await resetting
  await eventually(async () => (await b.rows(table)) === 10 && !(await buildingNow(b.db.kysely)).includes(table))
  t.same(await markedBy(table), [{ marked: 1, rows: 10 }], 'the replay ran marked')
})

t.test('a build that crashed mid-way is unmarked by the next runner once it has caught up', async (t) => {
  const { table, type, consumer } = await fixture()
  await b.append(type, 30)
  // as a crashed build leaves it: a checkpoint part of the way in, and the mark
  const events = await b.store.readAll({ after: START, limit: 1_000_000 })
  const mine = events.filter((e) => e.type === type)
  await b.db.kysely.insertInto('projection_checkpoints').values({ name: table, position: mine[9]!.position }).execute()
  await markBuilding(b.db.kysely, table, 0)
  const changes: string[] = []
  b.runner(consumer, { batchSize: 500, onBuildChange: (name) => changes.push(name) })
  await eventually(async () => !(await buildingNow(b.db.kysely)).includes(table))
  t.equal(await b.rows(table), 20, 'it went on from its checkpoint')
  t.same(changes, [table, table], 'told of the mark it found, and when it ended')
})

t.test(
  'a crashed build whose rest ends on a full batch is unmarked once the feed has been quiet a while',
  async (t) => {
    const { table, type, consumer } = await fixture()
    await b.append(type, 30)
    const events = await b.store.readAll({ after: START, limit: 1_000_000 })
    const from = events.findIndex((e) => e.type === type) + 9
    await b.db.kysely
      .insertInto('projection_checkpoints')
      .values({ name: table, position: events[from]!.position })
      .execute()
    await markBuilding(b.db.kysely, table, 0)
    // the rest of the feed in one full batch: no short one comes to say it has caught up
    b.runner(consumer, { batchSize: events.length - from - 1, checkpointCheckMs: 100 })
    await eventually(async () => !(await buildingNow(b.db.kysely)).includes(table))
    t.equal(await b.rows(table), 20)
  },
)

t.test('a serving process’s watch: what it read last, among the read models a route reads', async (t) => {
  let names = ['audit_log']
  const watch = await BuildWatch.start(async () => names, 60_000)
  t.teardown(() => watch.stop())
  t.same(watch.among(['users', 'audit_log']), ['audit_log'])
  names = []
  t.same(watch.among(['audit_log']), ['audit_log'], 'until it reads again')
  await watch.refresh()
  t.same(watch.among(['audit_log']), [])
  let down = false
  const other = await BuildWatch.start(async () => {
    if (down) throw new Error('the database is down')
    return ['users']
  }, 60_000)
  t.teardown(() => other.stop())
  down = true
  await t.rejects(other.refresh())
  t.same(other.among(['users']), ['users'], 'a failed read keeps what was known')
})
