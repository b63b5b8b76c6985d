import type { Position, ReadAllOptions, StoredEvent } from './event-store'

export interface CatchUpOptions {
  /**
   * events kept for the readers behind the one in front: two batches of a runner. More let the
   * front run further ahead, and kept events outlive the young generation: an `all` process
   * catching up a campus's event chain peaked at 404 MB with 5,000, 304-310 with 1,000 and
   * 315-318 reading alone, at the same speed for both sizes. @defaultValue 1000
   */
  keep?: number
  /** a reader that has not asked for this long has stopped catching up: nobody waits for it. @defaultValue 5000 */
  patienceMs?: number
}

interface Kept {
  after: Position
  events: StoredEvent[]
}

/**
 * The reads of the subscribers behind the shared feed's window (catching up:
 * a new deployment, a rebuild, an imported history), done once for all of
 * them. A projector building its read side from position 0 starts a dozen
 * runners at the same place with the same batch size; each reading the feed
 * for itself was much of the whole build's work on a campus's history (the
 * store's reads 120 of PostgreSQL's 277 s, docs/scaling.md).
 *
 * A full batch is final (the store's reads are gap-safe: no event can appear
 * among the positions a full batch covers), so it is kept, by the position it
 * was read after, until every reader catching up has passed it. They move as
 * a convoy: the reader in front waits before reading a new batch while the
 * kept batches are `keep` events and each is still ahead of someone. The
 * reader at the back never waits (everyone waits for it), and a reader that
 * has not asked for `patienceMs` is left behind: it reads on by itself. A
 * short batch (the end of what the feed shows now) is never kept, and shared
 * only with the callers whose read it answered.
 */
export class CatchUpReads {
  /** by `limit/after`; the least recently asked-for first */
  private readonly kept = new Map<string, Kept>()
  private keptEvents = 0
  private readonly pending = new Map<string, Promise<StoredEvent[]>>()
  /** where each reader catching up reads next, and when it last asked */
  private readonly readers = new Map<object, { next: Position; at: number }>()
  private moves: (() => void)[] = []
  private readonly keep: number
  private readonly patienceMs: number

  constructor(
    private readonly readAll: (o: ReadAllOptions) => Promise<StoredEvent[]>,
    /** orders two positions of this store: < 0, 0 or > 0 */
    private readonly compare: (a: Position, b: Position) => number,
    opts: CatchUpOptions = {},
  ) {
    this.keep = opts.keep ?? 1_000
    this.patienceMs = opts.patienceMs ?? 5_000
  }

  /** `reader`: the subscription asking (one object for all its reads); without one, a read shares but paces nobody */
  async read(after: Position, limit: number, reader?: object): Promise<StoredEvent[]> {
    if (reader) this.at(reader, after)
    const events = await this.batch(after, limit, reader)
    if (reader && events.length === limit) this.at(reader, events[events.length - 1]!.position)
    else if (reader) this.leave(reader) // at the end of what the feed shows: not catching up any more
    return events
  }

  /** `reader` reads elsewhere now (the shared window, the head): nobody waits for it */
  leave(reader: object): void {
    if (this.forget(reader)) this.moved()
  }

  private forget(reader: object): boolean {
    if (!this.readers.delete(reader)) return false
    // the last one has caught up (or stopped): what is kept would wait in memory for the next build
    if (this.readers.size === 0) for (const [key, k] of this.kept) this.drop(key, k)
    return true
  }

  private async batch(after: Position, limit: number, reader?: object): Promise<StoredEvent[]> {
    // a batch is named by where it starts and how long it may be: runners of one process ask alike
    const key = `${limit}/${after}`
    for (let waited = false; ; waited = true) {
      const kept = this.kept.get(key)
      if (kept !== undefined) {
        this.kept.delete(key)
        this.kept.set(key, kept)
        return kept.events
      }
      const joined = this.pending.get(key)
      if (joined !== undefined) {
        const events = await joined
        return events.length === limit ? events : this.readAll({ after, limit })
      }
      // while this one waited, another reader may have read the batch
      if (!waited) await this.room(after, limit, reader)
      else break
    }
    const read = this.readAll({ after, limit }).finally(() => this.pending.delete(key))
    this.pending.set(key, read)
    const events = await read
    if (events.length === limit) this.hold(key, { after, events })
    return events
  }

  /**
   * Waits, unless it is at the back, until `size` more events fit beside what
   * readers behind still need; a reader that leaves meanwhile (its
   * subscription stopped) waits no more.
   */
  private async room(after: Position, size: number, reader: object | undefined): Promise<void> {
    const deadline = Date.now() + this.patienceMs
    for (;;) {
      if (reader !== undefined && !this.readers.has(reader)) return
      const back = this.back()
      this.dropPassed(back)
      if (this.keptEvents + size <= this.keep || back === undefined || this.compare(after, back) <= 0) return
      const wait = deadline - Date.now()
      if (wait <= 0) return // the one at the back stopped asking: hold() drops the least recently asked-for
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(wait, this.patienceMs))
        this.moves.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** the position of the reader furthest behind, among those still asking */
  private back(): Position | undefined {
    const now = Date.now()
    let back: Position | undefined
    for (const [reader, r] of this.readers) {
      if (now - r.at > this.patienceMs) this.forget(reader)
      else if (back === undefined || this.compare(r.next, back) < 0) back = r.next
    }
    return back
  }

  /** drops the batches every reader has passed */
  private dropPassed(back: Position | undefined): void {
    if (back === undefined) return
    for (const [key, k] of this.kept) if (this.compare(k.after, back) < 0) this.drop(key, k)
  }

  private hold(key: string, kept: Kept): void {
    if (this.kept.has(key) || kept.events.length > this.keep) return
    this.kept.set(key, kept)
    this.keptEvents += kept.events.length
    for (const [oldest, k] of this.kept) {
      if (this.keptEvents <= this.keep) break
      this.drop(oldest, k)
    }
  }

  private drop(key: string, kept: Kept): void {
    this.kept.delete(key)
    this.keptEvents -= kept.events.length
  }

  private at(reader: object, next: Position): void {
    this.readers.set(reader, { next, at: Date.now() })
    this.moved()
  }

  private moved(): void {
    const moves = this.moves
    this.moves = []
    for (const m of moves) m()
  }
}
