import { sql } from 'kysely'
import t from 'tap'
import type { Db } from '../../src/db/connection'
import { insertAsJson, insertRows } from '../../src/projections/json-rows'
import { openTestDb } from '../helpers/db'

/**
 * Rows sent as one JSON parameter must be stored exactly as the driver's
 * multi-row VALUES stores them: the same rows go into two tables alike, one
 * each way, and the tables are compared.
 */
const TABLE = (name: string) => sql`
  CREATE TABLE ${sql.table(name)} (
    k uuid PRIMARY KEY, at timestamptz, label text, n integer NOT NULL DEFAULT 7,
    big bigint, flag boolean, ratio double precision, doc jsonb, note text)`

const rows = [
  {
    k: '00000000-0000-4000-8000-000000000001',
    at: new Date('2026-03-08T06:59:59.999Z'),
    label: 'quotes " and \\ and a\nnewline, tab\t, emoji 🎓, and {braces}',
    n: 1,
    big: '9007199254740993',
    flag: true,
    ratio: 0.1 + 0.2,
    doc: JSON.stringify({ nested: { list: [1, 'two', null] }, text: 'a "quoted" word' }),
    note: '{"looks":"like json"}',
  },
  {
    k: '00000000-0000-4000-8000-000000000002',
    at: '2026-12-02T18:30:00.000+05:30',
    label: '',
    n: -2147483648,
    big: null,
    flag: false,
    ratio: -0,
    doc: { an: 'object', not: 'a string' },
    note: null,
  },
  {
    k: '00000000-0000-4000-8000-000000000003',
    at: null,
    label: null,
    n: 0,
    big: '0',
    flag: null,
    ratio: 1e300,
    doc: null,
    note: 'x',
  },
  // JSON text of a scalar, of JSON's null, and an empty object: the driver parses the first two
  // (the same columns in the same order as the rows above, or they would not go as one JSON text)
  ...(['42', 'null', {}] as const).map((doc, i) => ({
    ...{ k: `00000000-0000-4000-8000-00000000000${i + 4}`, at: null, label: null, n: i + 4, big: null },
    ...{ flag: null, ratio: 0, doc, note: null },
  })),
]

let db: Db
t.before(async () => {
  db = await openTestDb(t, 'postgres', 4)
})

const dump = async (table: string) =>
  (
    await sql<
      Record<string, unknown>
    >`SELECT k, at, label, n, big, flag, ratio, doc, note FROM ${sql.table(table)} ORDER BY k`.execute(db.kysely)
  ).rows

t.test('every column type stores what the driver would store, and a conflict does what it says', async (t) => {
  await TABLE('by_values').execute(db.kysely)
  await TABLE('by_json').execute(db.kysely)
  await db.kysely.transaction().execute(async (trx) => {
    await trx
      .insertInto('by_values' as never)
      .values(rows as never)
      .execute()
    t.ok(await insertAsJson(trx, 'by_json', rows, undefined), 'sent as JSON')
  })
  t.same(await dump('by_json'), await dump('by_values'))
  t.same(
    (await dump('by_json')).map((r) => r.doc),
    [
      { nested: { list: [1, 'two', null] }, text: 'a "quoted" word' },
      { an: 'object', not: 'a string' },
      null,
      42,
      null,
      {},
    ],
    'a jsonb column holds the JSON, not a string of it',
  )
  t.same(
    (
      await sql<{ t: string | null }>`SELECT jsonb_typeof(doc) AS t FROM by_json ORDER BY k`.execute(db.kysely)
    ).rows.map((r) => r.t),
    ['object', 'object', null, 'number', 'null', 'object'],
    "SQL's NULL where the row gave null, JSON's null where it gave the text 'null'",
  )

  // the same keys again: DO NOTHING keeps the first rows
  await db.kysely.transaction().execute(async (trx) => {
    const again = rows.map((r) => ({ ...r, label: 'changed' }))
    t.ok(await insertAsJson(trx, 'by_json', again, sql`ON CONFLICT DO NOTHING`))
  })
  t.same(await dump('by_json'), await dump('by_values'), 'nothing changed')

  // an upsert that adds: n + excluded.n
  await db.kysely.transaction().execute(async (trx) => {
    const more = rows.map((r) => ({ k: r.k, n: 10 }))
    t.ok(await insertAsJson(trx, 'by_json', more, sql`ON CONFLICT (k) DO UPDATE SET n = by_json.n + excluded.n`))
  })
  t.same(
    (await dump('by_json')).map((r) => r.n),
    rows.map((r) => r.n + 10),
  )
})

t.test('rows it cannot carry alike are left to the driver, and nothing is written', async (t) => {
  await TABLE('fallback').execute(db.kysely)
  await db.kysely.transaction().execute(async (trx) => {
    // the second row leaves n to its DEFAULT: here it would be NULL
    const mixed = [
      { k: '00000000-0000-4000-8000-00000000000a', n: 1 },
      { k: '00000000-0000-4000-8000-00000000000b', n: undefined },
    ]
    t.equal(await insertAsJson(trx, 'fallback', mixed, undefined), false, 'different columns')
    t.equal(
      await insertAsJson(trx, 'fallback', [{ k: '00000000-0000-4000-8000-00000000000c', big: 5n }], undefined),
      false,
      'a bigint JSON cannot hold',
    )
    t.equal(
      await insertAsJson(trx, 'fallback', [{ k: '00000000-0000-4000-8000-00000000000d', nope: 1 }], undefined),
      false,
      'a column the table lacks',
    )
    t.equal(await insertAsJson(trx, 'not_a_table', [{ k: 'x' }], undefined), false, 'a table that is not there')
  })
  t.same(await dump('fallback'), [], 'nothing written')
  // every row leaving a column out alike: the JSON path, and the column gets its DEFAULT
  await db.kysely.transaction().execute(async (trx) => {
    t.ok(await insertAsJson(trx, 'fallback', [{ k: '00000000-0000-4000-8000-00000000000e', label: 'd' }], undefined))
  })
  t.equal((await dump('fallback'))[0]!.n, 7)
})

t.test('rows JSON cannot carry go as VALUES, with the same conflict clause', async (t) => {
  await TABLE('by_values_too').execute(db.kysely)
  const k = '00000000-0000-4000-8000-0000000000f1'
  // a bigint: JSON cannot hold it, so each insert takes the driver's path
  for (const n of [3, 4])
    await db.kysely
      .transaction()
      .execute((trx) =>
        insertRows(
          trx,
          'by_values_too',
          [{ k, n, big: 1n }],
          sql`ON CONFLICT (k) DO UPDATE SET n = by_values_too.n + excluded.n`,
        ),
      )
  t.same(
    (await dump('by_values_too')).map((r) => [r.n, r.big]),
    [[7, '1']],
  )
})
