import type {
  AppendOptions,
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  NewEvent,
  StreamGuard,
  Position,
  ReadAllOptions,
  StoredEvent,
  Subscription,
  SubscribeOptions,
} from '../event-store'
import { DuplicateEventId, GuardFailed, START, WrongExpectedVersion } from '../event-store'
import { Batcher } from '../batcher'
import { pollingSubscription } from '../polling-subscription'
import { SharedFeed } from '../shared-feed'
import type { Notifier, SqlPool } from '../../db/sql-pool'
import { isConnectionError } from '../../platform/connection-errors'
import {
  APPEND_NEW_STREAMS,
  EVENTS_BY_ID,
  HEAD,
  READ_ALL,
  READ_STREAMS,
  STREAM_REVISION,
  WAKE_CHANNEL,
  appendStatement,
} from './sql'
import { type Row, comparePositions, decodePosition, encodePosition, toStored } from './rows'

/** the row an append wrote last (undefined for none) */
const latest = <R extends { position: string }>(rows: R[]): R | undefined =>
  rows.reduce<R | undefined>((a, r) => (a === undefined || BigInt(r.position) > BigInt(a.position) ? r : a), undefined)

const UNIQUE_VIOLATION = '23505'
const NOTIFY_INTERVAL_MS = 25

/** A result or its error, for a batch that answers each input on its own. */
const settle = <T>(p: Promise<T>): Promise<T | Error> =>
  p.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))

export interface PostgresEventStoreOptions {
  pool: SqlPool
  notifier: Notifier
  kind?: 'postgres' | 'pglite'
  onError?: (err: Error) => void
  /** group commit: how many batched statements of one kind may run at once, and how big a batch gets */
  batching?: { maxInFlight?: number; maxBatch?: number }
}

interface NewStreamAppend {
  stream: string
  event: NewEvent
  guard: StreamGuard | undefined
}

export class PostgresEventStore implements EventStore {
  readonly kind: 'postgres' | 'pglite'
  private readonly localWake = new Set<(position?: Position) => void>()
  private notifying = false
  private notifyDue = false
  private unlisten: Promise<() => Promise<void>> | undefined

  private readonly reads: Batcher<string, StoredEvent[]>
  private readonly newStreams: Batcher<NewStreamAppend, AppendResult>
  /** what every subscription of this process reads through */
  private readonly feed = new SharedFeed((o) => this.readAll(o), comparePositions)

  constructor(private readonly opts: PostgresEventStoreOptions) {
    this.kind = opts.kind ?? 'postgres'
    const batching = { maxInFlight: opts.batching?.maxInFlight ?? 4, maxBatch: opts.batching?.maxBatch ?? 256 }
    this.reads = new Batcher((streams) => this.readStreams(streams), batching)
    this.newStreams = new Batcher((appends) => this.appendNewStreams(appends), batching)
  }

  async append(stream: string, events: NewEvent[], { expectedRevision, guard }: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event')
    // the hot path (a mark, a login record): concurrent ones share a statement and a commit
    if (expectedRevision === 'no_stream' && events.length === 1)
      return this.newStreams.submit({ stream, event: events[0]!, guard })
    return this.appendAlone(stream, events, expectedRevision, guard)
  }

  private async appendAlone(
    stream: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
    guard?: StreamGuard,
  ): Promise<AppendResult> {
    const statement = appendStatement(expectedRevision, guard !== undefined)
    const values: unknown[] = [
      stream,
      events.length,
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data ?? null)),
      events.map((e) => JSON.stringify(e.metadata ?? {})),
    ]
    if (guard) values.push(guard.stream, guard.revision.toString())
    if (typeof expectedRevision === 'bigint') values.push(expectedRevision.toString())
    let rows: { position: string; tx: string; revision: string }[]
    try {
      rows = (await this.opts.pool.query({ ...statement, values })).rows
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err
      rows = []
    }
    if (rows.length === 0) return this.conflict(stream, events, expectedRevision, guard)
    const last = latest(rows)!
    const position = encodePosition(last.tx, last.position)
    this.wake(position)
    return { nextRevision: BigInt(last.revision), position }
  }

  /**
   * One statement for a batch of single-event `no_stream` appends. A stream
   * met twice in the batch waits for the statement and then goes alone (so
   * the second one sees the first); a stream that exists already is answered
   * alone as a conflict. If the statement fails as a whole (a duplicate event
   * id, say), each append goes alone and gets its own answer.
   */
  private async appendNewStreams(appends: NewStreamAppend[]): Promise<(AppendResult | Error)[]> {
    // alone (low load): the plain statement is the cheaper one
    if (appends.length === 1)
      return [await settle(this.appendAlone(appends[0]!.stream, [appends[0]!.event], 'no_stream', appends[0]!.guard))]
    const firsts = new Map<string, number>()
    appends.forEach((a, i) => firsts.has(a.stream) || firsts.set(a.stream, i))
    const batch = [...firsts.values()].map((i) => appends[i]!)
    let written: Map<string, AppendResult> | undefined
    try {
      const { rows } = await this.opts.pool.query<{ stream: string; position: string; tx: string }>({
        ...APPEND_NEW_STREAMS,
        values: [
          batch.map((a) => a.stream),
          batch.map((a) => a.event.id),
          batch.map((a) => a.event.type),
          batch.map((a) => JSON.stringify(a.event.data ?? null)),
          batch.map((a) => JSON.stringify(a.event.metadata ?? {})),
          batch.map((a) => a.guard?.stream ?? null),
          batch.map((a) => a.guard?.revision.toString() ?? null),
        ],
      })
      written = new Map(rows.map((r) => [r.stream, { nextRevision: 0n, position: encodePosition(r.tx, r.position) }]))
      const last = latest(rows)
      if (last) this.wake(encodePosition(last.tx, last.position))
    } catch (err) {
      // the statement was refused as a whole (a duplicate id, say); a lost connection fails every append
      if (isConnectionError(err)) throw err
    }
    return Promise.all(
      appends.map(async (a, i) => {
        if (written === undefined || firsts.get(a.stream) !== i)
          return settle(this.appendAlone(a.stream, [a.event], 'no_stream', a.guard))
        return written.get(a.stream) ?? settle(this.conflict(a.stream, [a.event], 'no_stream', a.guard))
      }),
    )
  }

  /**
   * Nothing was written. Either the same events were stored before (a retry:
   * answer as the first time did), or the guard did not hold, or the expected
   * revision did not. Both checks read the present, not the statement's
   * snapshot: a guard stream that moved since is reported as the cause even
   * if the stream's own revision was what failed, and a caller that reloads
   * and retries then gets the right answer.
   */
  private async conflict(
    stream: string,
    events: NewEvent[],
    expected: ExpectedRevision,
    guard?: StreamGuard,
  ): Promise<AppendResult> {
    const ids = events.map((e) => e.id)
    const stored = (await this.opts.pool.query<Row>({ ...EVENTS_BY_ID, values: [ids] })).rows
    const byId = new Map(stored.map((r) => [r.id, r]))
    if (
      stored.length === events.length &&
      events.every((e) => byId.get(e.id)?.stream === stream && byId.get(e.id)?.type === e.type)
    ) {
      const last = stored[stored.length - 1]!
      return { nextRevision: BigInt(last.revision), position: encodePosition(last.tx, last.position) }
    }
    if (stored.length > 0) throw new DuplicateEventId(stored.map((r) => r.id))
    if (guard) {
      const actual = await this.streamRevision(guard.stream)
      if (actual !== guard.revision) throw new GuardFailed(guard.stream, guard.revision, actual)
    }
    throw new WrongExpectedVersion(stream, expected, await this.streamRevision(stream))
  }

  private async streamRevision(stream: string): Promise<bigint | 'no_stream'> {
    const row = (await this.opts.pool.query<{ revision: string }>({ ...STREAM_REVISION, values: [stream] })).rows[0]
    return row ? BigInt(row.revision) : 'no_stream'
  }

  /** Concurrent reads share a round trip; each still starts after its call, so none is stale. */
  readStream(stream: string): Promise<StoredEvent[]> {
    return this.reads.submit(stream)
  }

  private async readStreams(streams: string[]): Promise<StoredEvent[][]> {
    const { rows } = await this.opts.pool.query<Row>({ ...READ_STREAMS, values: [[...new Set(streams)]] })
    const byStream = new Map<string, StoredEvent[]>()
    for (const r of rows) {
      const list = byStream.get(r.stream) ?? []
      list.push(toStored(r))
      byStream.set(r.stream, list)
    }
    return streams.map((s) => (byStream.get(s) ?? []).slice()) // a stream read twice: two arrays
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const [tx, position] = decodePosition(options.after)
    const { rows } = await this.opts.pool.query<Row>({ ...READ_ALL, values: [tx, position, options.limit ?? 1000] })
    return rows.map(toStored)
  }

  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription {
    decodePosition(options.after) // refuse a foreign position at once
    this.unlisten ??= this.opts.notifier.listen(WAKE_CHANNEL, () => this.wakeLocal())
    const reader = {} // who asks, for the feed to pace the subscriptions catching up together
    const subscription = pollingSubscription(
      (o) => this.feed.read(o, reader),
      { onWake: (fn) => this.onWake(fn), compare: comparePositions },
      options,
      handler,
      this.opts.onError,
    )
    return {
      ...subscription,
      stop: () => {
        const stopped = subscription.stop()
        // after the stop is marked: a read waiting for readers behind ends now, and nobody waits for this one
        this.feed.leave(reader)
        return stopped
      },
    }
  }

  private onWake(fn: (position?: Position) => void): () => void {
    this.localWake.add(fn)
    return () => this.localWake.delete(fn)
  }

  /** `position`: the event just committed by this process, when known */
  private wakeLocal(position?: Position): void {
    for (const fn of this.localWake) fn(position)
  }

  /**
   * After a commit: wake this process' subscribers now, and other processes'
   * through one NOTIFY at a time (coalesced, at most one per
   * NOTIFY_INTERVAL_MS), outside the append's transaction so appends never
   * queue on the notification lock, and a busy feed does not cost a NOTIFY
   * (and a wake-up of every listener) per append.
   */
  private wake(position: Position): void {
    this.wakeLocal(position)
    this.notifyOthers()
  }

  private notifyOthers(): void {
    this.notifyDue = true
    if (this.notifying) return
    this.notifying = true
    // one NOTIFY, then at least NOTIFY_INTERVAL_MS before the next; the loop
    // ends once an interval passes with no append
    const send = (): void => {
      if (!this.notifyDue) {
        this.notifying = false
        return
      }
      this.notifyDue = false
      this.opts.notifier
        .notify(WAKE_CHANNEL)
        .catch(() => undefined) // subscribers still poll
        .finally(() => setTimeout(send, NOTIFY_INTERVAL_MS).unref())
    }
    send()
  }

  compare(a: Position, b: Position): number {
    return comparePositions(a, b)
  }

  async head(): Promise<Position> {
    const row = (await this.opts.pool.query<{ position: string; tx: string }>(HEAD)).rows[0]
    return row ? encodePosition(row.tx, row.position) : START
  }

  async ping(): Promise<void> {
    await this.opts.pool.query('SELECT 1')
  }

  async close(): Promise<void> {
    const unlisten = await this.unlisten?.catch(() => undefined)
    await unlisten?.()
  }
}
