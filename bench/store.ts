import { randomUUID } from 'node:crypto'
import { openDb } from '../src/db/connection'
import { migrateEventStore } from '../src/db/migrate'
import { START } from '../src/store/event-store'
import { PostgresEventStore } from '../src/store/postgres/postgres-event-store'
import { fmt, printTable, throughput, withBenchDatabase, type Row } from './lib'

/**
 * `npm run bench:store`: single-event appends per second on distinct streams
 * at 1, 16 and 64 writers, each beside the raw `BEGIN; INSERT one row; COMMIT`
 * through pg at the same concurrency in the same run, then subscriber catch-up.
 * Rounds alternate baseline and store so machine noise hits both alike.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const LEVELS = (process.env.BENCH_WRITERS ?? '1,16,64').split(',').map(Number)

function payload(i: number) {
  return { club_event_id: randomUUID(), user_id: randomUUID(), n: i, marked_at: new Date().toISOString() }
}

export async function benchStore(): Promise<Row[]> {
  return withBenchDatabase(async (url) => {
    const db = await openDb({ databaseUrl: url, dataDir: '', poolSize: Math.max(...LEVELS) + 2 })
    await migrateEventStore(db.kysely)
    await db.pool.query(
      'CREATE TABLE bench_baseline (id uuid PRIMARY KEY, data jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())',
    )
    const store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
    const rows: Row[] = []
    try {
      for (const writers of LEVELS) {
        let base = 0
        let ours = 0
        for (let round = 0; round < ROUNDS; round++) {
          base = Math.max(
            base,
            await throughput(writers, SECONDS, async (_w, i) => {
              const client = await db.pool.connect()
              try {
                await client.query('BEGIN')
                await client.query({
                  name: 'bench_insert',
                  text: 'INSERT INTO bench_baseline (id, data) VALUES ($1, $2)',
                  values: [randomUUID(), JSON.stringify(payload(i))],
                })
                await client.query('COMMIT')
              } finally {
                client.release()
              }
            }),
          )
          ours = Math.max(
            ours,
            await throughput(writers, SECONDS, async (_w, i) => {
              await store.append(
                `bench-${randomUUID()}`,
                [
                  {
                    id: randomUUID(),
                    type: 'AttendanceMarked',
                    data: payload(i),
                    metadata: { request_id: randomUUID() },
                  },
                ],
                { expectedRevision: 'no_stream' },
              )
            }),
          )
        }
        const ratio = ours / base
        rows.push({
          what: `append, ${writers} writer${writers > 1 ? 's' : ''} (events/s)`,
          value: fmt(ours),
          baseline: fmt(base),
          ratio: `${fmt(ratio * 100)} %`,
          target: writers === 16 ? '>= 75 %' : '',
          verdict: writers === 16 ? (ratio >= 0.75 ? 'yes' : 'NO') : '',
        })
      }

      const total = Number((await db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM es_events')).rows[0]!.n)
      const started = process.hrtime.bigint()
      let seen = 0
      await new Promise<void>((resolve, reject) => {
        const sub = store.subscribe({ after: START, limit: 1000 }, async (events) => {
          seen += events.length
          if (seen >= total) void sub.stop().then(resolve)
        })
        sub.done.catch(reject)
      })
      const rate = seen / (Number(process.hrtime.bigint() - started) / 1e9)
      rows.push({
        what: `subscriber catch-up over ${fmt(total)} events (events/s)`,
        value: fmt(rate),
        target: '>= 10,000',
        verdict: rate >= 10_000 ? 'yes' : 'NO',
      })
    } finally {
      await store.close()
      await db.close()
    }
    return rows
  })
}

if (require.main === module) {
  benchStore()
    .then((rows) =>
      printTable(`Event store (PostgreSQL, ${SECONDS} s x ${ROUNDS} rounds per figure, best round)`, rows),
    )
    .catch((err: unknown) => {
      console.error(err)
      process.exit(1)
    })
}
