import { historySizes, openHistory } from './history'

/**
 * `npm run seed -- --members 100000 --attendance 1000000 [--events 2000]`:
 * a campus's history (bench/history.ts) appended to the PostgreSQL event
 * store at DATABASE_URL, through the store's own append path, with its rate.
 * A projector or `all` process on the same database then builds the read
 * models from it. The events add to whatever the store holds.
 */
async function seed(): Promise<void> {
  const url = process.env.DATABASE_URL
  if (!url) {
    console.error('npm run seed: set DATABASE_URL to the PostgreSQL database to fill (the event store lives there)')
    process.exit(2)
  }
  const { db, store } = await openHistory(url, historySizes({ members: 100_000, events: 2_000, attendance: 1_000_000 }))
  await store.close()
  await db.close()
}

seed().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
