import { type Db, openDb } from '../src/db/connection'
import { consumers } from '../src/projections'
import { buildingNow } from '../src/projections/building'
import { PgLeaderLocks } from '../src/projections/leader-lock'
import type { Consumer } from '../src/projections/projection'
import { ProjectionRunner, resetConsumer } from '../src/projections/runner'
import type { EventStore } from '../src/store/event-store'
import { PostgresEventStore } from '../src/store/postgres/postgres-event-store'
import { bareFeedRead, fmt, type Row } from './lib'

/** Every read model built from a history from position 0: the rate issue 18 asks of each. */
export const BUILD_TARGET = 20_000

/** Consumers from position 0 to the head, indexed and analysed, by runners as the projector drives them, all at once: seconds. */
async function build(url: string, db: Db, store: EventStore, built: Consumer[]): Promise<number> {
  // no serving process to tell: the mark without the wait
  for (const consumer of built) await resetConsumer(db.kysely, consumer, 0)
  const head = await store.head()
  const locks = new PgLeaderLocks(url)
  const started = performance.now()
  const runners = built.map((consumer) => new ProjectionRunner({ db: db.kysely, store, consumer, locks }).start())
  while (runners.some((runner) => store.compare(runner.position, head) < 0)) await new Promise((r) => setTimeout(r, 20))
  // built means whole to a reader: the mark is lifted once the indexes a build deferred are made and its
  // tables analysed (resetConsumer above marked every one of them)
  const names = built.map((c) => c.name)
  while ((await buildingNow(db.kysely)).some((n) => names.includes(n))) await new Promise((r) => setTimeout(r, 20))
  const s = (performance.now() - started) / 1000
  await Promise.all(runners.map((runner) => runner.stop()))
  await locks.close()
  return s
}

/**
 * Every consumer at once from position 0, as one projector process builds a
 * new deployment's read side: its own store (so its own shared feed) and a
 * pool as large as operations.md advises for a campus.
 */
async function buildAll(url: string): Promise<number> {
  const db = await openDb({ databaseUrl: url, dataDir: '', poolSize: 30 })
  const store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
  try {
    return await build(url, db, store, consumers())
  } finally {
    await store.close()
    await db.close()
  }
}

/**
 * Each consumer alone from position 0 to the head, beside a bare subscriber
 * reading the same feed (what a projection adds to reading it), then all of
 * them at once. Afterwards every read model stands at the head.
 */
export async function projectionBuilds(
  url: string,
  db: Db,
  store: EventStore,
): Promise<{ events: number; rows: Row[] }> {
  const bare = await bareFeedRead(store)
  const bareRate = bare.events / bare.s
  const rows: Row[] = [
    { what: 'bare subscriber, the whole feed', value: `${fmt(bareRate)} events/s`, baseline: `${fmt(bare.s, 1)} s` },
  ]
  let alone = 0
  for (const consumer of consumers()) {
    const s = await build(url, db, store, [consumer])
    alone += s
    const rate = bare.events / s
    rows.push({
      what: `build ${consumer.name}`,
      value: `${fmt(rate)} events/s (${fmt(s, 1)} s)`,
      baseline: `bare read ${fmt(bareRate)} events/s`,
      ratio: `${fmt((rate / bareRate) * 100)} %`,
      target: `≥ ${fmt(BUILD_TARGET)} events/s`,
      verdict: rate >= BUILD_TARGET ? 'yes' : 'no',
    })
  }
  const s = await buildAll(url)
  const rate = bare.events / s
  rows.push({
    what: `build all ${fmt(consumers().length)} at once, one process`,
    value: `${fmt(rate)} events/s (${fmt(s, 1)} s)`,
    baseline: `each alone, one after another ${fmt(alone, 1)} s`,
    ratio: `${fmt((s / alone) * 100)} %`,
    target: `≥ ${fmt(BUILD_TARGET)} events/s`,
    verdict: rate >= BUILD_TARGET ? 'yes' : 'no',
  })
  return { events: bare.events, rows }
}
