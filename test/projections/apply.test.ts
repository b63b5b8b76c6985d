import { randomUUID } from 'node:crypto'
import { Kysely, PostgresDialect, sql } from 'kysely'
import t from 'tap'
import type { Db } from '../../src/db/connection'
import type { Database } from '../../src/db/database'
import { applyChanges } from '../../src/projections/apply'
import { attendanceProjection } from '../../src/projections/attendance/attendance-records'
import { memberMarksProjection } from '../../src/projections/attendance/member-marks'
import { clubEventsProjection } from '../../src/projections/club-events/club-events'
import type { AttendanceMarked } from '../../src/domain/attendance/events'
import type { Recorded, RowChange } from '../../src/projections/projection'
import { openTestDb } from '../helpers/db'

/** A table of this test's own, beside the real ones. */
type Tables = Database & { apply_fixture: { k: string; v: number } }

let db: Db
let counted: Kysely<Database>
let statements: string[] = []

t.before(async () => {
  db = await openTestDb(t, 'postgres', 4)
  // the same pool, with every statement written down
  counted = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: db.pool as never }),
    log: (e) => void statements.push(e.query.sql),
  })
  await sql`CREATE TABLE apply_fixture (k text NOT NULL, v int NOT NULL)`.execute(db.kysely)
})

async function apply(changes: RowChange<Tables>[]): Promise<string[]> {
  statements = []
  await counted.transaction().execute((trx) => applyChanges<Tables>(trx, changes))
  // a table's column types are read once per process (json-rows.ts): not a statement per batch
  return statements.filter((q) => !/^(begin|commit)$/i.test(q.trim()) && !q.includes('pg_attribute'))
}

const at = new Date('2026-11-29T10:00:00Z').toISOString()
function marked(clubEventId: string, i: number): Recorded<AttendanceMarked> {
  const userId = randomUUID()
  return {
    id: randomUUID(),
    type: 'AttendanceMarked',
    data: {
      attendance_id: randomUUID(),
      club_event_id: clubEventId,
      user_id: userId,
      qr_session_id: randomUUID(),
      nonce: `n-${randomUUID()}`,
      marked_at: new Date(Date.parse(at) + i).toISOString(),
      location: null,
    },
    metadata: {},
    stream: `attendance-${clubEventId}-${userId}`,
    revision: 0n,
    position: `1:${i + 1}`,
    recorded_at: new Date(at),
  }
}

t.test('a batch of 100 marks costs one statement per table, and the count adds up to 100', async (t) => {
  const clubEventId = randomUUID()
  await db.kysely
    .insertInto('club_events')
    .values({
      id: clubEventId,
      title: 'Night',
      starts_at: at,
      ends_at: at,
      location: null,
      notes: null,
      geofence: null,
      created_by: randomUUID(),
      created_at: at,
      updated_at: at,
      deleted_at: null,
    } as never)
    .execute()
  const events = Array.from({ length: 100 }, (_, i) => marked(clubEventId, i))
  // the projections' changes, interleaved as a mark's event produces them
  const changes = events.flatMap((e) => [
    ...attendanceProjection.project(e),
    ...clubEventsProjection.project(e),
    ...memberMarksProjection.project(e),
  ])
  const sent = await apply(changes)
  // used_nonces was a write-only table, removed on purpose (issue 12)
  t.equal(sent.length, 3, `attendance_records, club_events, member_marks: ${sent.length} statements`)
  const { rows } = await sql<{
    n: string
  }>`SELECT count(*)::text AS n FROM attendance_records WHERE club_event_id = ${clubEventId}`.execute(db.kysely)
  t.equal(rows[0]!.n, '100')
  const ev = await db.kysely
    .selectFrom('club_events')
    .select('attendance_count')
    .where('id', '=', clubEventId)
    .executeTakeFirstOrThrow()
  t.equal(Number(ev.attendance_count), 100)
  const counted = await db.kysely
    .selectFrom('member_marks')
    .select(['marks'])
    .where(
      'user_id',
      'in',
      events.map((e) => e.data.user_id),
    )
    .execute()
  t.same(
    counted.map((r) => r.marks),
    Array(100).fill(1),
    'each member has one mark counted',
  )
})

t.test('marks by the same members in one batch add up in one statement, onto what was counted', async (t) => {
  const [a, b] = [randomUUID(), randomUUID()]
  await db.kysely.insertInto('member_marks').values({ user_id: a, marks: 4 }).execute()
  const marks = [a, b, a, a, b].map((user, i) => {
    const e = marked(randomUUID(), i)
    return { ...e, data: { ...e.data, user_id: user } }
  })
  const sent = await apply(marks.flatMap((e) => memberMarksProjection.project(e)))
  t.equal(sent.length, 1, 'one INSERT … ON CONFLICT')
  const rows = await db.kysely
    .selectFrom('member_marks')
    .select(['user_id', 'marks'])
    .where('user_id', 'in', [a, b])
    .execute()
  t.same(Object.fromEntries(rows.map((r) => [r.user_id, r.marks])), { [a]: 7, [b]: 2 })
})

t.test('the order of changes to one table is kept: nothing merges across a delete or a plain update', async (t) => {
  const k = randomUUID()
  const insert = (v: number): RowChange<Tables> => ({ kind: 'insert', table: 'apply_fixture', row: { k, v } })
  const sent = await apply([
    insert(1),
    insert(2),
    { kind: 'delete', table: 'apply_fixture', where: { k } },
    insert(3),
    { kind: 'update', table: 'apply_fixture', where: { k }, set: { v: { increment: 10 } } },
    { kind: 'update', table: 'apply_fixture', where: { k }, set: { v: 100 } },
    { kind: 'update', table: 'apply_fixture', where: { k }, set: { v: { increment: 1 } } },
    { kind: 'update', table: 'apply_fixture', where: { k }, set: { v: { increment: 2 } } },
  ])
  t.equal(sent.length, 6, 'insert×2, delete, insert, +10, =100, +1+2')
  const rows = await sql<{ v: number }>`SELECT v FROM apply_fixture WHERE k = ${k}`.execute(db.kysely)
  t.same(rows.rows, [{ v: 103 }], 'the delete removed the first two; the later increments apply after the plain update')
})

t.test('increments of different rows stay apart', async (t) => {
  const [a, b] = [randomUUID(), randomUUID()]
  await apply([
    { kind: 'insert', table: 'apply_fixture', row: { k: a, v: 0 } },
    { kind: 'insert', table: 'apply_fixture', row: { k: b, v: 0 } },
  ])
  const sent = await apply([
    { kind: 'update', table: 'apply_fixture', where: { k: a }, set: { v: { increment: 1 } } },
    { kind: 'update', table: 'apply_fixture', where: { k: b }, set: { v: { increment: 5 } } },
    { kind: 'update', table: 'apply_fixture', where: { k: a }, set: { v: { increment: 1 } } },
  ])
  t.equal(sent.length, 3, 'a, b, a: the second a follows b in the same table')
  const rows = await sql<{
    k: string
    v: number
  }>`SELECT k, v FROM apply_fixture WHERE k IN (${a}, ${b}) ORDER BY v`.execute(db.kysely)
  t.same(
    rows.rows.map((r) => r.v),
    [2, 5],
  )
})

t.test('an increment whose row is not there adds nothing and is reported, not dropped unseen', async (t) => {
  const [here, gone] = [randomUUID(), randomUUID()]
  await apply([{ kind: 'insert', table: 'apply_fixture', row: { k: here, v: 0 } }])
  let missed: Awaited<ReturnType<typeof applyChanges>> = []
  await counted.transaction().execute(async (trx) => {
    missed = await applyChanges<Tables>(trx, [
      { kind: 'update', table: 'apply_fixture', where: { k: gone }, set: { v: { increment: 1 } } },
      { kind: 'update', table: 'apply_fixture', where: { k: gone }, set: { v: { increment: 2 } } },
      { kind: 'update', table: 'apply_fixture', where: { k: here }, set: { v: { increment: 1 } } },
      { kind: 'update', table: 'apply_fixture', where: { k: gone }, set: { v: 7 } },
    ])
  })
  t.same(missed, [{ table: 'apply_fixture', where: { k: gone }, increments: { v: 3 } }], 'the merged +3, once')
  const rows = await sql<{
    k: string
    v: number
  }>`SELECT k, v FROM apply_fixture WHERE k IN (${here}, ${gone})`.execute(db.kysely)
  t.same(rows.rows, [{ k: here, v: 1 }], 'a plain update of a missing row is no increment: nothing to report')
})

/** Two keyed tables of the same shape: one gets a batch grouped, the other the same changes one statement each. */
type Keyed = { id: string; fixed: string; state: string; n: number }
type KeyedTables = Tables & { apply_grouped: Keyed; apply_single: Keyed }
type KeyedTable = 'apply_grouped' | 'apply_single'

t.test(
  'upserts and updates by their key fold into one statement, and leave what one statement each leaves',
  async (t) => {
    await sql`CREATE TABLE apply_grouped (id text PRIMARY KEY, fixed text NOT NULL, state text NOT NULL, n int NOT NULL)`.execute(
      db.kysely,
    )
    await sql`CREATE TABLE apply_single (LIKE apply_grouped INCLUDING ALL)`.execute(db.kysely)
    const upsert = (table: KeyedTable, id: string, fixed: string, state: string): RowChange<KeyedTables> => ({
      kind: 'upsert',
      table,
      row: { id, fixed, state, n: 0 },
      key: ['id'],
      update: ['state', 'n'],
    })

    // a signup and its decision, 200 times over: one statement
    const ids = Array.from({ length: 200 }, () => randomUUID())
    statements = []
    await counted.transaction().execute((trx) =>
      applyChanges<KeyedTables>(
        trx,
        ids.flatMap((id): RowChange<KeyedTables>[] => [
          upsert('apply_grouped', id, 'f', 'pending'),
          { kind: 'update', table: 'apply_grouped', where: { id }, set: { state: 'approved', n: 1 } },
        ]),
      ),
    )
    const sent = statements.filter((q) => !/^(begin|commit)$/i.test(q.trim()) && !q.includes('pg_attribute'))
    t.equal(sent.length, 1, '200 upserts and 200 updates: one INSERT … ON CONFLICT')
    const states = await sql<{ state: string; n: number; count: string }>`
    SELECT state, n, count(*)::text AS count FROM apply_grouped GROUP BY state, n`.execute(db.kysely)
    t.same(states.rows, [{ state: 'approved', n: 1, count: '200' }])

    // random batches over five keys, from random starting rows: grouped and one at a time agree
    let seed = 20261202
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return (seed >>> 16) % n // an LCG's low bits repeat with a short period
    }
    for (let round = 0; round < 100; round++) {
      await sql`TRUNCATE apply_grouped, apply_single`.execute(db.kysely)
      const keys = ['a', 'b', 'c', 'd', 'e']
      const start = keys.filter(() => random(2) === 0).map((id) => ({ id, fixed: 'old', state: 'old', n: 5 }))
      if (start.length > 0) {
        await db.kysely
          .insertInto('apply_grouped' as never)
          .values(start as never)
          .execute()
        await db.kysely
          .insertInto('apply_single' as never)
          .values(start as never)
          .execute()
      }
      const pool = [...keys]
      const steps = Array.from({ length: 40 }, (_, i) => {
        const kind = random(11)
        // a plain insert takes a new key (an existing one fails either way); the rest pick any
        const id = kind === 7 ? `n${i}` : pool[random(pool.length)]!
        if (kind === 7) pool.push(id)
        return { kind, id, v: random(1000) }
      })
      const changes = (table: KeyedTable) =>
        steps.map(({ kind, id, v }): RowChange<KeyedTables> => {
          switch (kind) {
            case 0:
            case 1:
              return upsert(table, id, `f${v}`, `s${v % 3}`)
            case 2:
            case 9: // by the key, update columns: folds
              return { kind: 'update', table, where: { id }, set: { state: `u${v}` } }
            case 3: // a column an upsert never updates: folds into an insert only
              return { kind: 'update', table, where: { id }, set: { fixed: `x${v}` } }
            case 4: // an increment: does not fold
              return { kind: 'update', table, where: { id }, set: { n: { increment: v } } }
            case 5: // by more than the key: does not fold
              return { kind: 'update', table, where: { id, state: `s${v % 3}` }, set: { state: `w${v}` } }
            case 6: // not by the key: does not fold
              return { kind: 'update', table, where: { state: `s${v % 3}` }, set: { n: v } }
            case 7: // a keyed plain insert: later updates by its key fold into it
              return { kind: 'insert', table, row: { id, fixed: `f${v}`, state: `s${v % 3}`, n: 0 }, key: ['id'] }
            case 10: // a counter: adds to the row, or inserts it
              return {
                kind: 'upsert',
                table,
                row: { id, fixed: `f${v}`, state: 's', n: v },
                key: ['id'],
                update: [],
                increment: ['n'],
              }
            default: // it may leave an existing row as it is: nothing folds into it
              return {
                kind: 'insert',
                table,
                row: { id, fixed: `f${v}`, state: `s${v % 3}`, n: 0 },
                key: ['id'],
                onConflict: 'nothing',
              }
          }
        })
      await db.kysely.transaction().execute((trx) => applyChanges<KeyedTables>(trx, changes('apply_grouped')))
      await db.kysely.transaction().execute(async (trx) => {
        for (const c of changes('apply_single')) await applyChanges<KeyedTables>(trx, [c])
      })
      const [grouped, single] = await Promise.all(
        (['apply_grouped', 'apply_single'] as const).map((table) =>
          sql<Keyed>`SELECT * FROM ${sql.table(table)} ORDER BY id`.execute(db.kysely),
        ),
      )
      if (!t.same(grouped!.rows, single!.rows, `round ${round}`)) break
    }
  },
)
