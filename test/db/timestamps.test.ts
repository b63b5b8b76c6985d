import fc from 'fast-check'
import { sql } from 'kysely'
import pg from 'pg'
import t from 'tap'
import { parseTimestamptz } from '../../src/db/timestamps'
import { openTestDb } from '../helpers/db'

const postgresDate = pg.types.getTypeParser(1184, 'text')

/** A parse's outcome, comparable: a Date by its time (NaN included), anything else as it is. */
const outcome = (v: unknown) => (v instanceof Date ? `date ${v.getTime()}` : `${typeof v} ${String(v)}`)

const two = (max: number, min = 0) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'))
const canonical = fc
  .tuple(
    fc.integer({ min: 1000, max: 9999 }),
    two(12, 1),
    two(31, 1),
    two(23),
    two(59),
    two(59),
    fc.option(fc.stringMatching(/^\.[0-9]{1,6}$/), { nil: '' }),
    fc.constantFrom('+', '-'),
    two(15),
    fc.constantFrom('', ':30', ':45', ':00'),
    fc.constantFrom('', ':32', ':08'),
  )
  .map(
    ([y, mo, d, h, mi, s, frac, sign, zh, zm, zs]) =>
      `${y}-${mo}-${d} ${h}:${mi}:${s}${frac}${sign}${zh}${zm}${zm ? zs : ''}`,
  )

t.test('the same Date as postgres-date for every text PostgreSQL sends, and for any other', async (t) => {
  fc.assert(
    fc.property(canonical, (text) => outcome(parseTimestamptz(text)) === outcome(postgresDate(text))),
    { numRuns: 20_000 },
  )
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        canonical.chain((c) => fc.nat(c.length).map((n) => c.slice(0, n) + c.slice(n + 1))),
      ),
      (text) => outcome(parseTimestamptz(text)) === outcome(postgresDate(text)),
    ),
    { numRuns: 5_000 },
  )
  for (const text of [
    'infinity',
    '-infinity',
    '0099-03-01 12:00:00+00',
    '0001-01-01 00:00:00+00 BC',
    '2024-02-30 12:00:00.5+00',
    '10000-01-01 00:00:00+00',
    '2026-12-03 12:00:00.+00',
    '2026-12-03 12:00:00.123456789+00',
    '2026-12-03 12:00:00+05:3',
    '2026-12-03 12:00:00+00:19:32',
    '2026-12-03 12:00:00Z',
  ])
    t.equal(outcome(parseTimestamptz(text)), outcome(postgresDate(text)), text)
})

t.test(
  'read through the pool under any session time zone, a timestamptz is the instant PostgreSQL holds',
  async (t) => {
    const db = await openTestDb(t)
    const instants = [
      '1850-06-01T00:00:00Z', // local mean time: offsets in seconds
      '1969-12-31T23:59:59.999999Z',
      '2000-02-29T12:34:56.789Z',
      '2026-03-29T01:30:00.000001Z',
      '2026-12-03T12:00:00Z',
    ]
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Kiritimati']) {
      const rows = await db.kysely.transaction().execute(async (trx) => {
        await sql`SELECT set_config('TimeZone', ${zone}, true)`.execute(trx)
        return (
          await sql<{ at: Date; text: string; ms: string }>`
          SELECT x AS at, x::text AS text, floor(extract(epoch FROM x) * 1000)::bigint::text AS ms
            FROM unnest(${instants}::timestamptz[]) x`.execute(trx)
        ).rows
      })
      t.same(
        rows.map((r) => r.at.getTime()),
        rows.map((r) => Number(r.ms)),
        `${zone}: ${rows.map((r) => r.text).join(', ')}`,
      )
      t.same(
        rows.map((r) => outcome(r.at)),
        rows.map((r) => outcome(postgresDate(r.text))),
        `${zone}: as postgres-date reads the same text`,
      )
    }
  },
)
