import { CatchUpReads } from './catch-up-reads'
import type { Position, ReadAllOptions, StoredEvent } from './event-store'
import { START } from './event-store'

export interface SharedFeedOptions {
  /** events the tail reader asks for at a time. @defaultValue 1000 */
  batch?: number
  /**
   * events kept in memory behind the head, for subscribers a little behind
   * (a few seconds of a busy feed: held longer, they would outlive the young
   * generation and feed the old one, whose collections are the long pauses).
   * @defaultValue 2000
   */
  keep?: number
  /** the least time between two reads at the head, in ms. @defaultValue 5 */
  minIntervalMs?: number
}

/**
 * One tail reader for all the subscriptions of a process. They (every
 * projection runner, the hot-path cache) mostly sit at the same place near
 * the head of the feed, and every commit wakes all of them: reading the feed
 * each for itself cost ten queries per commit where one does, and under a
 * steady load most of those found nothing (an older transaction still hid
 * the new events).
 *
 * The feed keeps the events it last read. A subscriber at a position inside
 * that window is served from memory; one at the head waits for the next shared
 * read, sent after its call and at most once per `minIntervalMs`; one behind the window (catching up, a
 * rebuild) reads the store, in a convoy with the others catching up
 * (CatchUpReads). What a subscriber gets is exactly what
 * `readAll` from its position would give: the tail reader's reads are
 * `readAll` calls, each continuing where the last one ended.
 */
export class SharedFeed {
  private window: StoredEvent[] = []
  /** position → index into `window` plus `dropped` */
  private readonly index = new Map<Position, number>()
  private dropped = 0
  /** the position just before window[0] */
  private start: Position | undefined
  /** where the tail reader has read up to */
  private head: Position | undefined
  /** the read whose query is out */
  private sent: Promise<void> | undefined
  /** the read that goes out next; callers join it until then */
  private next: Promise<void> | undefined
  private lastReadAt = 0
  /** the reads of subscribers behind the window */
  private readonly behind: CatchUpReads

  constructor(
    private readonly readAll: (o: ReadAllOptions) => Promise<StoredEvent[]>,
    /** orders two positions of this store: < 0, 0 or > 0 */
    private readonly compare: (a: Position, b: Position) => number,
    private readonly opts: SharedFeedOptions = {},
  ) {
    this.behind = new CatchUpReads(readAll, compare)
  }

  /** `reader`: the subscription asking, the same object for all its reads (it paces the others catching up) */
  async read(options: ReadAllOptions = {}, reader?: object): Promise<StoredEvent[]> {
    const after = options.after ?? START
    const limit = options.limit ?? 1000
    // the first reader anchors the window
    if (this.head === undefined) this.start = this.head = after
    const cached = this.slice(after, limit)
    if (cached === undefined && this.compare(after, this.head) < 0) return this.behind.read(after, limit, reader)
    if (reader) this.behind.leave(reader)
    if (cached !== undefined && cached.length > 0) return cached
    // at the head, or ahead of it (a subscriber that read the store itself): read on, shared
    await this.advance()
    return this.slice(after, limit) ?? this.readAll({ after, limit })
  }

  /** `reader` reads no more (its subscription stopped): the others catching up do not wait for it */
  leave(reader: object): void {
    this.behind.leave(reader)
  }

  /** the events after `after` held in memory; undefined when `after` is not in the window */
  private slice(after: Position, limit: number): StoredEvent[] | undefined {
    if (after === this.head) return []
    const i = after === this.start ? 0 : this.index.has(after) ? this.index.get(after)! - this.dropped + 1 : -1
    return i < 0 ? undefined : this.window.slice(i, i + limit)
  }

  /**
   * Resolves after a read of the head whose query went out after this call:
   * callers join the next read until it is sent (so subscribers woken
   * together share it), and never one already sent, whose snapshot may
   * predate the commit that woke them.
   */
  private advance(): Promise<void> {
    this.next ??= this.schedule()
    return this.next
  }

  private async schedule(): Promise<void> {
    await this.sent?.catch(() => undefined) // one read at a time
    const wait = this.lastReadAt + (this.opts.minIntervalMs ?? 5) - Date.now()
    await new Promise((r) => (wait > 0 ? setTimeout(r, wait) : setImmediate(r)))
    this.next = undefined // from here on, callers wait for the read after this one
    const read = this.readHead()
    this.sent = read
    try {
      await read
    } finally {
      if (this.sent === read) this.sent = undefined
    }
  }

  private async readHead(): Promise<void> {
    this.lastReadAt = Date.now()
    const events = await this.readAll({ after: this.head, limit: this.opts.batch ?? 1000 })
    if (events.length === 0) return
    for (const e of events) {
      this.index.set(e.position, this.dropped + this.window.length)
      this.window.push(e)
    }
    this.head = events[events.length - 1]!.position
    const over = this.window.length - (this.opts.keep ?? 2000)
    if (over > 0) {
      const gone = this.window.splice(0, over)
      for (const e of gone) this.index.delete(e.position)
      this.dropped += over
      this.start = gone[gone.length - 1]!.position
    }
  }
}
