import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/database'
import type { Position, StoredEvent } from '../store/event-store'
import { START } from '../store/event-store'
import { markBuilding, markBuilt } from './building'
import { deferIndexes, restoreIndexes } from './deferred-indexes'
import type { Consumer, MissedIncrement } from './projection'
import { analyzeTables } from './table-statistics'

/** Another runner (or a rebuild) moved the checkpoint: start over from the table. */
export class CheckpointMoved extends Error {}

export interface TermOptions {
  db: Kysely<Database>
  consumer: Consumer
  /** events per batch: a shorter one means the feed has nothing more to give now */
  limit: number
  /** how often the checkpoint is written while batches hold nothing for the consumer */
  idleCheckpointMs: number
  /** how long without a batch counts as caught up (for indexes a build deferred) */
  quietMs: number
  /** after each batch has been dealt with, in feed order */
  onDone: (events: StoredEvent[], missed: MissedIncrement[]) => void
  /** a write failed with nothing waiting to see it: end the subscription now */
  onFailure: () => void
  /** how long a build waits after marking itself, before its first write (building.ts) */
  noticeMs: number
  /** a build from position 0 began or ended (building.ts), once committed */
  onBuildChange?: () => void
}

/**
 * One leadership of a runner: the batches it applies, each with a
 * compare-and-set of the checkpoint in ONE transaction, so a crash anywhere
 * leaves rows and checkpoint in agreement: nothing applied twice or missed.
 *
 * A batch is read from the feed and projected while the one before it is
 * written, and waits for that write before its own: the database writes one
 * batch while this process prepares the next, rather than each waiting on the
 * other (the audit log's build at a campus's size: 60 s where it took 100).
 * A failed write fails the batch after it, or the end of the subscription.
 */
export class LeaderTerm {
  /** the checkpoint as this term last committed it */
  private committed: Position
  /** what the next compare-and-set expects: ahead of `committed` while a batch commits */
  private expected: Position
  /** the write under way (a batch, or indexes made again) */
  private writing: Promise<void> | undefined
  private writtenAt = Date.now()
  private lastBatchAt = Date.now()
  /** no batch yet, and the term began at position 0 */
  private fromStart: boolean
  /** a build: the term began at position 0 and its first batch was full; its tables are analysed once caught up */
  private building = false

  constructor(
    private readonly opts: TermOptions,
    checkpoint: Position,
    /** indexes a build deferred (an earlier term's, one that crashed): made again once caught up */
    private deferred: boolean,
    /** the checkpoint row says a build is under way (building.ts): a reset's, or an earlier term's that crashed */
    private partial = false,
  ) {
    this.committed = this.expected = checkpoint
    this.fromStart = checkpoint === START
  }

  get checkpoint(): Position {
    return this.committed
  }

  get busy(): boolean {
    return this.writing !== undefined
  }

  /** The subscription's handler: returns once this batch's write has begun (a full batch) or ended. */
  async onBatch(events: StoredEvent[]): Promise<void> {
    const idle = (await this.opts.consumer.wants?.(events)) === false
    // a short first batch is a small history read whole: nothing worth analysing after it
    const build = this.fromStart && !this.short(events)
    if (build) this.building = true
    this.fromStart = false
    // readers are turned away from the partial tables before the first row is written, until caught up
    // (a reactor has no tables to be partial); a write of its own, so that no tick takes the wait for the end
    if (build && !this.partial && (this.opts.consumer.tables?.length ?? 0) > 0)
      this.write(async () => {
        await markBuilding(this.opts.db, this.opts.consumer.name, this.opts.noticeMs)
        this.partial = true
        this.opts.onBuildChange?.()
      })
    await this.writing
    this.lastBatchAt = Date.now()
    if (idle && Date.now() - this.writtenAt < this.opts.idleCheckpointMs) return this.done(events, [])
    const from = this.expected
    const last = events[events.length - 1]!.position
    this.expected = last
    this.writtenAt = Date.now()
    // a build's first batch that writes (those before it held nothing for the consumer, and may have
    // been checkpointed while the build marked itself): worth making the indexes once at the end
    const defer =
      this.opts.consumer.deferIndexes === true && this.building && !this.deferred && !idle && !this.short(events)
    this.write(async () => {
      const missed = await this.apply(from, events, !idle, defer)
      this.committed = last
      if (defer) this.deferred = true
      this.done(events, missed)
    })
    // a short batch is the live feed, not a build: wait for its commit, so that the subscription's
    // pause gathers the next batch after it, as large as the traffic makes it (a hall's marks)
    if (this.short(events)) await this.writing
  }

  /** fewer events than the runner asked for: the feed had no more to give, so the runner has caught up */
  private short(events: StoredEvent[]): boolean {
    return events.length < this.opts.limit
  }

  /** Now and then, from the runner's watch: a build that ended on a full batch is caught up once no batch has come for a while. */
  tick(): void {
    if (
      (this.deferred || this.building || this.partial) &&
      !this.writing &&
      Date.now() - this.lastBatchAt >= this.opts.quietMs
    )
      this.caughtUp()
  }

  /** Resolves once nothing is being written; rejects with the write's failure. */
  async settle(): Promise<void> {
    await this.writing
  }

  private done(events: StoredEvent[], missed: MissedIncrement[]): void {
    this.opts.onDone(events, missed)
    if (this.short(events)) this.caughtUp()
  }

  /**
   * The end of a build: the indexes it deferred made again, then its tables
   * analysed. A build that crashed is not analysed by the term after it
   * (which does not begin at position 0): autovacuum's part then.
   */
  private caughtUp(): void {
    const { db, consumer } = this.opts
    if (this.deferred) {
      this.deferred = false
      this.write(() => restoreIndexes(db, consumer.name))
    }
    if (this.building) {
      this.building = false
      this.write(() => analyzeTables(db, consumer.tables ?? []))
    }
    // last: readers come back to tables with their indexes and statistics
    if (this.partial) {
      this.partial = false
      this.write(async () => {
        await markBuilt(db, consumer.name)
        this.opts.onBuildChange?.()
      })
    }
  }

  /** `work` after the write under way; the next batch waits for it */
  private write(work: () => Promise<void>): void {
    const writing: Promise<void> = (this.writing ?? Promise.resolve()).then(work).then(() => {
      if (this.writing === writing) this.writing = undefined
    })
    this.writing = writing
    writing.catch(this.opts.onFailure)
  }

  /** The batch and the compare-and-set in one transaction; `defer`: the build's first batch drops its indexes. */
  private async apply(
    checkpoint: Position,
    events: StoredEvent[],
    handle: boolean,
    defer: boolean,
  ): Promise<MissedIncrement[]> {
    const { db, consumer } = this.opts
    const next = events[events.length - 1]!.position
    return db.transaction().execute(async (trx) => {
      // first, so a second runner waits here on the row lock and then fails
      // the compare instead of colliding on the rows
      const moved = await trx
        .updateTable('projection_checkpoints')
        .set({ position: next, updated_at: sql`now()` })
        .where('name', '=', consumer.name)
        .where('position', '=', checkpoint)
        // a build from position 0 commits thousands of batches, each waiting on a WAL flush otherwise;
        // SET LOCAL in this statement, not a round trip of its own (a burst's batches are small and many)
        .returning(
          (consumer.replayable
            ? sql<string>`set_config('synchronous_commit', 'off', true)`
            : sql<string>`current_setting('synchronous_commit')`
          ).as('commit_mode'),
        )
        .executeTakeFirst()
      if (!moved) throw new CheckpointMoved()
      if (defer) await deferIndexes(trx, consumer.name, consumer.tables ?? [])
      return handle ? ((await consumer.handle(trx, events)) ?? []) : []
    })
  }
}
