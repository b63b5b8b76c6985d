import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { openDb, type Db } from '../../src/db/connection'
import { migrateEventStore, migrateReadModel } from '../../src/db/migrate'
import { PgLeaderLocks } from '../../src/projections/leader-lock'
import type { Consumer } from '../../src/projections/projection'
import { ProjectionRunner, type RunnerOptions } from '../../src/projections/runner'
import { START } from '../../src/store/event-store'
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store'
import { eventually } from './eventually'
import { createTestDatabase } from './services'

interface Tap {
  before(fn: () => Promise<void>): void
  afterEach(fn: () => Promise<void>): void
  teardown(fn: () => unknown): void
}

/**
 * A test file's own database for builds from position 0 (deferred indexes,
 * the build's mark): the store, runners stopped after each test, and events
 * appended until every one of them reads. Its fields are set in `t.before`.
 */
export class BuildDb {
  db!: Db
  url!: string
  store!: PostgresEventStore
  private cleanups: (() => Promise<unknown>)[] = []

  constructor(t: Tap) {
    t.before(async () => {
      this.url = await createTestDatabase(t, async () => {
        await this.stopRunners()
        await this.store?.close()
        await this.db?.close()
      })
      this.db = await openDb({ databaseUrl: this.url, dataDir: '', poolSize: 10 })
      await migrateEventStore(this.db.kysely)
      await migrateReadModel(this.db.kysely)
      this.store = new PostgresEventStore({ pool: this.db.pool, notifier: this.db.notifier })
    })
    // a runner left leading would keep the next test's runners on standby
    t.afterEach(() => this.stopRunners())
  }

  private async stopRunners(): Promise<void> {
    for (const c of this.cleanups.reverse()) await c().catch(() => undefined)
    this.cleanups = []
  }

  /** `count` events of `type`, each `{ n }` in a stream of its own, 20 at a time */
  async append(type: string, count: number): Promise<void> {
    for (let i = 0; i < count; i += 20)
      await Promise.all(
        Array.from({ length: Math.min(20, count - i) }, (_, j) =>
          this.store.append(`built-${randomUUID()}`, [{ id: randomUUID(), type, data: { n: i + j }, metadata: {} }], {
            expectedRevision: 'no_stream',
          }),
        ),
      )
    // the feed is gap-safe cluster-wide: a transaction another test file holds open keeps some of them out
    // of reach, and a build's first batch cut short that way is the live feed's, which is no build
    await eventually(
      async () => (await this.store.readAll({ after: START, limit: 1_000_000 })).length === (await this.stored()),
    )
  }

  /** events in the store: what a build from position 0 reads */
  async stored(): Promise<number> {
    return Number((await sql<{ n: string }>`SELECT count(*) AS n FROM es_events`.execute(this.db.kysely)).rows[0]!.n)
  }

  /** rows in `table` */
  async rows(table: string): Promise<number> {
    return Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.id(table)}`.execute(this.db.kysely)).rows[0]!.n,
    )
  }

  /** A runner of `consumer` on this store (polling every 50 ms), started, and stopped with its locks after the test. */
  runner(consumer: Consumer, extra: Partial<RunnerOptions> = {}): ProjectionRunner {
    const locks = new PgLeaderLocks(this.url)
    const r = new ProjectionRunner({
      db: this.db.kysely,
      store: this.store,
      consumer,
      locks,
      pollIntervalMs: 50,
      ...extra,
    })
    this.cleanups.push(async () => {
      await r.stop()
      await locks.close()
    })
    return r.start()
  }
}
