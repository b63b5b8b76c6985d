import type { Db } from '../src/db/connection'
import { consumers } from '../src/projections'
import { hasDeferredIndexes } from '../src/projections/deferred-indexes'
import { PgLeaderLocks } from '../src/projections/leader-lock'
import type { Consumer } from '../src/projections/projection'
import { ProjectionRunner, resetConsumer } from '../src/projections/runner'
import type { EventStore } from '../src/store/event-store'
import { bareFeedRead, fmt, type Row } from './lib'

/** Every read model built from a history from position 0: the rate issue 18 asks of each. */
export const BUILD_TARGET = 20_000

/** One consumer from position 0 to the head and indexed, by a runner as the projector drives it: seconds. */
async function build(url: string, db: Db, store: EventStore, consumer: Consumer): Promise<number> {
  await resetConsumer(db.kysely, consumer)
  const head = await store.head()
  const locks = new PgLeaderLocks(url)
  const started = performance.now()
  const runner = new ProjectionRunner({ db: db.kysely, store, consumer, locks }).start()
  while (store.compare(runner.position, head) < 0) await new Promise((r) => setTimeout(r, 20))
  // built means indexed too: a build that deferred its indexes has made them once this is false
  while (await hasDeferredIndexes(db.kysely, consumer.name)) await new Promise((r) => setTimeout(r, 20))
  const s = (performance.now() - started) / 1000
  await runner.stop()
  await locks.close()
  return s
}

/**
 * Each consumer alone from position 0 to the head, beside a bare subscriber
 * reading the same feed (what a projection adds to reading it). Afterwards
 * every read model stands at the head.
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
  for (const consumer of consumers()) {
    const s = await build(url, db, store, consumer)
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
  return { events: bare.events, rows }
}
