import type { Readable } from 'node:stream'
import {
  BACKWARDS,
  END,
  START as ESDB_START,
  type EventStoreDBClient,
  excludeSystemEvents,
} from '@eventstore/db-client'
import type { AllStreamResolvedEvent, Position as EsdbPosition, ResolvedEvent } from '@eventstore/db-client'
import type {
  AppendOptions,
  AppendResult,
  BatchHandler,
  EventStore,
  NewEvent,
  Position,
  ReadAllOptions,
  StoredEvent,
  Subscription,
  SubscribeOptions,
} from '../event-store'
import { GuardFailed, START, WrongExpectedVersion } from '../event-store'
import { fromRecorded, toEventData } from './events'
import { feedPage } from './feed'
import { decodePosition, encodePosition, isAfter } from './positions'
import { isStreamNotFound, toActualRevision, toEsdbExpectedRevision, toPortError } from './revisions'
import { catchUpSubscription } from './subscription'

/** Never written: reading it answers "stream not found", which proves the server is there. */
const PING_STREAM = 'dscp-ping'
const PING_TIMEOUT_MS = 5000

async function drain<T>(stream: Readable & AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of stream) out.push(item)
  return out
}

/**
 * The EventStore port on EventStoreDB/KurrentDB.
 *
 * Idempotency: our event id is ESDB's event id, and ESDB answers a repeated
 * append of the same ids as a success without writing again. That is
 * guaranteed for `no_stream` and an exact revision (the server compares the
 * ids with the events already at those revisions) and best-effort for `any`
 * and `stream_exists` (it consults a cache of recently written ids). ESDB
 * does NOT treat an id reused in another stream as a duplicate: that append
 * is written, where the PostgreSQL adapter raises DuplicateEventId.
 *
 * Projection checkpoints stay in PostgreSQL (projection_checkpoints), holding
 * this adapter's `esdb:` positions.
 */
export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb' as const
  private readonly subscriptions = new Set<Subscription>()

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  async append(stream: string, events: NewEvent[], { expectedRevision, guard }: AppendOptions): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event')
    // no multi-stream condition in ESDB: the guard is read just before the
    // append, which is what a read-then-append of the guard stream would give
    if (guard) {
      const actual = await this.currentRevision(guard.stream)
      if (actual !== guard.revision) throw new GuardFailed(guard.stream, guard.revision, actual)
    }
    const expected = toEsdbExpectedRevision(expectedRevision)
    let result
    try {
      result = await this.client.appendToStream(stream, events.map(toEventData), { expectedRevision: expected })
    } catch (err) {
      throw toPortError(err, stream, expectedRevision)
    }
    // only when the connection string says throwOnAppendFailure=false
    if (!result.success) throw new WrongExpectedVersion(stream, expectedRevision, await this.currentRevision(stream))
    const nextRevision = result.nextExpectedRevision
    // the reply's position is the write's, which for several events (or a
    // repeated append) need not be the last event's place in $all: ask for it
    const position =
      events.length === 1 && result.position
        ? encodePosition(result.position)
        : await this.positionOf(stream, nextRevision)
    return { nextRevision, position }
  }

  private async positionOf(stream: string, revision: bigint): Promise<string> {
    const [found] = await drain<ResolvedEvent>(this.client.readStream(stream, { fromRevision: revision, maxCount: 1 }))
    if (!found?.event) throw new Error(`stream ${stream}: event ${revision} not found right after it was appended`)
    return fromRecorded(found.event).position
  }

  private async currentRevision(stream: string): Promise<bigint | 'no_stream'> {
    try {
      const [last] = await drain<ResolvedEvent>(
        this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
      )
      return toActualRevision(last?.event?.revision)
    } catch (err) {
      if (isStreamNotFound(err)) return 'no_stream'
      throw err
    }
  }

  async readStream(stream: string): Promise<StoredEvent[]> {
    try {
      const events = await drain<ResolvedEvent>(this.client.readStream(stream))
      return events.flatMap((r) => (r.event ? [fromRecorded(r.event)] : []))
    } catch (err) {
      if (isStreamNotFound(err)) return []
      throw err
    }
  }

  /**
   * $all has no server-side filter on reads in this client, and maxCount
   * counts system events too: read until `limit` domain events or the end.
   */
  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const limit = options.limit ?? 1000
    let from: EsdbPosition | undefined = decodePosition(options.after)
    const out: StoredEvent[] = []
    if (limit <= 0) return out
    for (;;) {
      const want = limit - out.length
      // one more than wanted: a read from a position starts with the event at it
      const raw = await drain<AllStreamResolvedEvent>(
        this.client.readAll({ fromPosition: from ?? ESDB_START, maxCount: want + 1 }),
      )
      const page = feedPage(raw, from)
      out.push(...page.events.slice(0, want))
      if (out.length >= limit || raw.length < want + 1 || !page.last) return out
      from = page.last
    }
  }

  /** The newest position in $all (a system event's is fine: subscriptions skip those). */
  compare(a: Position, b: Position): number {
    const [pa, pb] = [decodePosition(a), decodePosition(b)]
    if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? -1 : 1
    return isAfter(pa, pb) ? 1 : isAfter(pb, pa) ? -1 : 0
  }

  async head(): Promise<Position> {
    const [last] = await drain<AllStreamResolvedEvent>(
      this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }),
    )
    return last?.event ? encodePosition(last.event.position) : START
  }

  subscribe(options: SubscribeOptions, handler: BatchHandler): Subscription {
    const from = decodePosition(options.after) // refuse a foreign position at once
    const subscription = catchUpSubscription(
      (position, highWaterMark) =>
        this.client.subscribeToAll(
          { fromPosition: position ?? ESDB_START, resolveLinkTos: false, filter: excludeSystemEvents() },
          { highWaterMark },
        ),
      { from, limit: Math.max(1, options.limit ?? 1000), onError: this.onError },
      handler,
    )
    this.subscriptions.add(subscription)
    subscription.done.finally(() => this.subscriptions.delete(subscription)).catch(() => undefined)
    return subscription
  }

  async ping(): Promise<void> {
    const read = this.client.readStream(PING_STREAM, { maxCount: 1 })
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void read.cancel()
        reject(new Error(`EventStoreDB did not answer within ${PING_TIMEOUT_MS} ms`))
      }, PING_TIMEOUT_MS)
    })
    try {
      await Promise.race([drain(read), timeout])
    } catch (err) {
      if (!isStreamNotFound(err)) throw err
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()))
    await this.client.dispose()
  }
}
