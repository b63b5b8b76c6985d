import { projectionBuilds } from './builds'
import { historySizes, openHistory } from './history'
import { fmt, printTable, withBenchDatabase } from './lib'

/**
 * `npm run bench:projections`: every read model built from position 0, as a
 * new deployment, a rebuild or an imported history builds it. A history of
 * members signing up and approved by an admin, club events each with a QR
 * code, and marks (bench/history.ts, what `npm run seed` writes), through the
 * store's append path; then each consumer alone, driven by the runner the
 * projector runs, from position 0 to the head. Baseline from the same run: a
 * bare subscriber reading the same feed.
 *
 * Sizes: --members / --events / --attendance N (defaults 20,000 / 200 / 200,000).
 */
async function benchProjections(url: string): Promise<void> {
  const { db, store } = await openHistory(url, historySizes({ members: 20_000, events: 200, attendance: 200_000 }))
  try {
    const { events, rows } = await projectionBuilds(url, db, store)
    printTable(`each read model built from position 0 (${fmt(events)} events, PostgreSQL)`, rows)
  } finally {
    await store.close()
    await db.close()
  }
}

withBenchDatabase(benchProjections).catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
