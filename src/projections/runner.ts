import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/database'
import type { EventStore, Position, StoredEvent, Subscription } from '../store/event-store'
import { START } from '../store/event-store'
import { buildNoticeMs, markBuilding } from './building'
import { CheckpointMoved, LeaderTerm } from './leader-term'
import type { LeaderLocks } from './leader-lock'
import type { Consumer, MissedIncrement } from './projection'

export interface RunnerOptions {
  db: Kysely<Database>
  store: EventStore
  consumer: Consumer
  locks: LeaderLocks
  /** events per transaction. @defaultValue 500 */
  batchSize?: number
  /** how often an idle runner polls the store. @defaultValue 200 */
  pollIntervalMs?: number
  /** how often a standby tries to take the lead. @defaultValue 1000 */
  lockRetryMs?: number
  /** pause after a batch so a busy feed is applied in larger transactions. @defaultValue 50 */
  coalesceMs?: number
  /** how often the checkpoint is written while batches hold nothing for the consumer. @defaultValue 1000 */
  idleCheckpointMs?: number
  /** how often an idle leader checks that nobody reset its checkpoint. @defaultValue 1000 */
  checkpointCheckMs?: number
  onError?: (err: Error, consumer: string) => void
  /** after each committed batch (metrics) */
  onApplied?: (consumer: string, events: StoredEvent[]) => void
  /** after a committed batch whose increments found no row (a log line and a metric) */
  onMissed?: (consumer: string, missed: MissedIncrement[]) => void
  /** how long a build waits after marking itself, before its first write (building.ts). @defaultValue buildNoticeMs() */
  buildNoticeMs?: number
  /** a build from position 0 began or ended, once committed (building.ts) */
  onBuildChange?: (consumer: string) => void
}

class SteppedDown extends Error {}

/**
 * Drives one consumer: takes its lead (one runner at a time across
 * processes), and while it leads, subscribes to the feed from the stored
 * checkpoint and hands each batch to its LeaderTerm, which applies it with a
 * compare-and-set of that checkpoint in one transaction.
 */
export class ProjectionRunner {
  private stopped = false
  private leading = false
  private subscription: Subscription | undefined
  private loop: Promise<void> | undefined
  private wakeSleep: (() => void) | undefined
  private applied: Position = START

  constructor(private readonly opts: RunnerOptions) {
    opts.locks.onLost(() => this.stepDown())
  }

  get name(): string {
    return this.opts.consumer.name
  }

  /** whether this process is currently the active runner */
  get isLeading(): boolean {
    return this.leading
  }

  /** the last position this runner has dealt with (applied, or found nothing to apply in) */
  get position(): Position {
    return this.applied
  }

  start(): this {
    this.loop ??= this.run()
    return this
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wakeSleep?.()
    await this.subscription?.stop()
    await this.loop
    await this.opts.locks.release(this.name)
  }

  /** a reader waits for this consumer: cut its pause between batches short */
  expedite(): void {
    this.subscription?.expedite()
  }

  private stepDown(): void {
    if (!this.leading) return
    this.leading = false
    void this.subscription?.stop()
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.wakeSleep = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  private async run(): Promise<void> {
    let backoff = 0
    while (!this.stopped) {
      try {
        if (!(await this.opts.locks.tryAcquire(this.name))) {
          await this.sleep(this.opts.lockRetryMs ?? 1000)
          continue
        }
        this.leading = true
        const { position: checkpoint, deferredIndexes, building } = await loadCheckpoint(this.opts.db, this.name)
        const deferred = this.opts.consumer.deferIndexes === true && deferredIndexes
        // a reset (or a crashed build) left the mark: this process's readers learn of it now
        if (building) this.opts.onBuildChange?.(this.name)
        const limit = this.opts.batchSize ?? 500
        const checkMs = this.opts.checkpointCheckMs ?? 1000
        const term = new LeaderTerm(
          {
            db: this.opts.db,
            consumer: this.opts.consumer,
            limit,
            idleCheckpointMs: this.opts.idleCheckpointMs ?? 1000,
            quietMs: checkMs,
            onDone: (events, missed) => {
              this.applied = events[events.length - 1]!.position
              if (missed.length > 0) this.opts.onMissed?.(this.name, missed)
              this.opts.onApplied?.(this.name, events)
            },
            onFailure: () => void this.subscription?.stop(),
            noticeMs: this.opts.buildNoticeMs ?? buildNoticeMs(),
            onBuildChange: () => this.opts.onBuildChange?.(this.name),
          },
          checkpoint,
          deferred,
          building,
        )
        this.applied = checkpoint
        if (this.stopped) break
        const subscription = this.opts.store.subscribe(
          {
            after: checkpoint,
            limit,
            pollIntervalMs: this.opts.pollIntervalMs ?? 200,
            coalesceMs: this.opts.coalesceMs ?? 50,
          },
          async (events) => {
            if (!this.leading) throw new SteppedDown()
            await term.onBatch(events)
          },
        )
        this.subscription = subscription
        // an idle runner never tries a compare-and-set, so it would not notice
        // a reset (rebuild) of its checkpoint: look at the table now and then
        const watch = setInterval(() => {
          term.tick()
          if (term.busy) return
          // a plain read: an upsert of the row would wait on this runner's own open batch
          storedCheckpoint(this.opts.db, this.name)
            .then((stored) => {
              if (stored !== term.checkpoint && !term.busy) void subscription.stop()
            })
            .catch(() => undefined)
        }, checkMs)
        try {
          await subscription.done
        } finally {
          clearInterval(watch)
          await term.settle()
        }
        backoff = 0
      } catch (err) {
        if (err instanceof CheckpointMoved || err instanceof SteppedDown) continue
        this.opts.onError?.(err as Error, this.name)
        backoff = Math.min(backoff ? backoff * 2 : 100, 5000)
        await this.sleep(backoff)
      } finally {
        this.subscription = undefined
      }
    }
    this.leading = false
  }
}

/** Every stored checkpoint: where each consumer stood when it last wrote one. */
export async function loadCheckpoints(db: Kysely<Database>): Promise<Record<string, Position>> {
  const rows = await db.selectFrom('projection_checkpoints').select(['name', 'position']).execute()
  return Object.fromEntries(rows.map((r) => [r.name, r.position]))
}

/**
 * The checkpoint row a leadership starts from (made at position 0 if there is
 * none): where the consumer stands, whether a build left indexes to make
 * again (deferred-indexes.ts), and whether one is under way (building.ts).
 */
export async function loadCheckpoint(
  db: Kysely<Database>,
  name: string,
): Promise<{ position: Position; deferredIndexes: boolean; building: boolean }> {
  await db
    .insertInto('projection_checkpoints')
    .values({ name, position: START })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  const row = await db
    .selectFrom('projection_checkpoints')
    .select(['position', 'deferred_indexes', 'building_since'])
    .where('name', '=', name)
    .executeTakeFirstOrThrow()
  return {
    position: row.position,
    deferredIndexes: (row.deferred_indexes?.length ?? 0) > 0,
    building: row.building_since !== null,
  }
}

/** The checkpoint as stored, undefined when there is no row: a read that takes no lock. */
async function storedCheckpoint(db: Kysely<Database>, name: string): Promise<Position | undefined> {
  const row = await db
    .selectFrom('projection_checkpoints')
    .select('position')
    .where('name', '=', name)
    .executeTakeFirst()
  return row?.position
}

/**
 * Empties a consumer's tables and puts its checkpoint back to the start, in
 * one transaction. A runner that is live fails its next compare-and-set and
 * starts again from position 0, so this is safe while everything runs. Its
 * tables are partial until that runner has caught up: it marks the read
 * model first, so that readers are turned away meanwhile (building.ts).
 */
export async function resetConsumer(
  db: Kysely<Database>,
  consumer: Consumer,
  noticeMs = buildNoticeMs(),
): Promise<void> {
  await markBuilding(db, consumer.name, noticeMs)
  await db.transaction().execute(async (trx) => {
    for (const table of consumer.tables ?? []) await sql`TRUNCATE ${sql.table(table)}`.execute(trx)
    await trx
      .insertInto('projection_checkpoints')
      .values({ name: consumer.name, position: START })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position: START, updated_at: sql`now()` }))
      .execute()
  })
}
