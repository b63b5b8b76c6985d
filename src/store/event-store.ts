/**
 * The EventStore port (docs/architecture.md §4). Adapters: postgres/ (PostgreSQL and PGlite)
 * and esdb/ (EventStoreDB/KurrentDB). Every adapter passes test/store/contract.
 */

/** Revision of the last event in a stream, 0-based; `no_stream` is "no event yet". */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint

/**
 * A place in the global feed. Opaque: each adapter encodes its own, and only
 * the adapter that produced one can interpret it. `START` is before everything.
 */
export type Position = string
export const START: Position = ''

export interface EventMetadata {
  actor_id?: string | null
  actor_role?: string | null
  ip?: string | null
  user_agent?: string | null
  request_id?: string | null
  correlation_id?: string | null
  causation_id?: string | null
  [key: string]: unknown
}

export interface NewEvent<T extends string = string, D = unknown> {
  /** uuid; a retried append carrying the same ids stores nothing twice */
  id: string
  type: T
  data: D
  metadata: EventMetadata
}

export interface StoredEvent<T extends string = string, D = unknown> extends NewEvent<T, D> {
  stream: string
  revision: bigint
  position: Position
  recorded_at: Date
}

export interface AppendResult {
  /** revision of the last event appended (the stream's new revision) */
  nextRevision: bigint
  /** position of the last event appended */
  position: Position
}

/**
 * "Append only if `stream` is still at `revision`": a decision that rested on
 * another stream (the caller's role, read from their user stream, say) is
 * written only if that stream has not moved since it was read. The PostgreSQL
 * adapter checks it in the append's own statement; EventStoreDB has no
 * multi-stream condition, so its adapter reads the guard stream just before
 * the append (as a read-then-append would).
 */
export interface StreamGuard {
  stream: string
  revision: bigint
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision
  guard?: StreamGuard
}

export interface ReadAllOptions {
  /** exclusive; START for the beginning */
  after?: Position
  /** @defaultValue 1000 */
  limit?: number
}

export interface SubscribeOptions extends ReadAllOptions {
  /** poll interval when no wake-up arrives, in ms. @defaultValue 200 */
  pollIntervalMs?: number
  /**
   * after a batch, wait this long before reading again even when woken, so a
   * busy feed is read in fewer, larger batches (projections). @defaultValue 0
   */
  coalesceMs?: number
}

/** Handles one batch in global order; the subscription advances only after it resolves. */
export type BatchHandler = (events: StoredEvent[]) => Promise<void>

export interface Subscription {
  /** stops reading; resolves once the batch in flight (if any) has finished */
  stop(): Promise<void>
  /** resolves when the subscription ends; rejects if the handler threw */
  readonly done: Promise<void>
  /** cuts short a pause between batches (coalesceMs): a reader is waiting for what comes next */
  expedite(): void
}

export interface EventStore {
  readonly kind: 'postgres' | 'pglite' | 'esdb'
  /** throws WrongExpectedVersion, GuardFailed or DuplicateEventId, and then has stored nothing */
  append(stream: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>
  /** all events of one stream, in revision order; [] when the stream does not exist */
  readStream(stream: string): Promise<StoredEvent[]>
  /** events in global order after `after`; never skips an event that commits later */
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>
  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription
  /** the position of the last event a reader can see now (START when empty) */
  head(): Promise<Position>
  /** orders two positions of this store in the global feed: < 0, 0 or > 0; START is before every event */
  compare(a: Position, b: Position): number
  /** throws when the store cannot be reached */
  ping(): Promise<void>
  close(): Promise<void>
}

export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion'
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** the stream's current revision, or 'no_stream' */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`)
  }
}

/** The append's guard stream has moved (or does not exist); nothing was appended. */
export class GuardFailed extends Error {
  override readonly name = 'GuardFailed'
  constructor(
    readonly stream: string,
    readonly expected: bigint,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`guard stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`)
  }
}

/** Two different appends used the same event id. */
export class DuplicateEventId extends Error {
  override readonly name = 'DuplicateEventId'
  constructor(readonly ids: string[]) {
    super(`event id already stored with other content: ${ids.join(', ')}`)
  }
}
