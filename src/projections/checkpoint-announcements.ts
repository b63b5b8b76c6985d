import type { Notifier } from '../db/sql-pool'
import type { Position } from '../store/event-store'
import type { CheckpointBoard } from './checkpoint-board'

/** The NOTIFY channel; the payload is JSON: `{ "<read model>": "<position>", … }`. */
const CHECKPOINTS_CHANNEL = 'dscp_checkpoints'
/** The NOTIFY channel an API process uses to say that a read is waiting for the read models. */
const WAITING_CHANNEL = 'dscp_reader_waiting'

export interface AnnouncerOptions {
  /** the least time between two announcements while runners advance. @defaultValue 25 */
  intervalMs?: number
  /**
   * how often every position is announced again, even with nothing new: an
   * API process that started (or reconnected) since learns where idle read
   * models stand within this. @defaultValue 1000
   */
  heartbeatMs?: number
  /**
   * how long after a reader last said it was waiting the runners' advances
   * are announced as they happen; otherwise only the heartbeat speaks.
   * @defaultValue 5000
   */
  demandMs?: number
  onError?: (err: Error) => void
}

/**
 * Tells every API process how far this process's runners have dealt with the
 * feed: all of them every `heartbeatMs`, and, while some reader waits (and
 * for `demandMs` after), every position that moved, at most one NOTIFY per
 * `intervalMs`. Announced after a batch commits, so a reader that learns of it
 * finds the rows. Not on every batch regardless: each NOTIFY takes a
 * cluster-wide lock at commit, and a steady stream of them slowed the marks
 * of a busy hall (bench:scan's burst fell from ~100 % to ~85 % of the raw
 * insert rate).
 */
export class CheckpointAnnouncer {
  private readonly latest = new Map<string, Position>()
  private readonly pending = new Map<string, Position>()
  private timer: NodeJS.Timeout | undefined
  private readonly heartbeat: NodeJS.Timeout
  private sending: Promise<void> | undefined
  private closed = false
  private demandedUntil = 0

  constructor(
    private readonly notifier: Notifier,
    private readonly opts: AnnouncerOptions = {},
  ) {
    this.heartbeat = setInterval(() => {
      for (const [name, position] of this.latest) this.pending.set(name, position)
      this.schedule()
    }, opts.heartbeatMs ?? 1000)
    this.heartbeat.unref()
  }

  announce(name: string, position: Position): void {
    this.latest.set(name, position)
    if (Date.now() >= this.demandedUntil) return
    this.pending.set(name, position)
    this.schedule()
  }

  /** a reader is waiting somewhere: say where every runner stands now, and as they move for a while */
  demand(): void {
    this.demandedUntil = Date.now() + (this.opts.demandMs ?? 5000)
    for (const [name, position] of this.latest) this.pending.set(name, position)
    this.schedule()
  }

  private schedule(): void {
    if (this.closed || this.timer || this.pending.size === 0) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.send()
    }, this.opts.intervalMs ?? 25)
    this.timer.unref()
  }

  private async send(): Promise<void> {
    await this.sending
    if (this.pending.size === 0) return
    const payload = JSON.stringify(Object.fromEntries(this.pending))
    this.pending.clear()
    this.sending = this.notifier
      .notify(CHECKPOINTS_CHANNEL, payload)
      .catch((err: Error) => this.opts.onError?.(err))
      .finally(() => (this.sending = undefined))
    await this.sending
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.heartbeat)
    if (this.timer) clearTimeout(this.timer)
    await this.sending
  }
}

/**
 * Keeps `board` up to date with the announcements of every process, starting
 * from the checkpoints table. After a lost LISTEN connection it reads the
 * table again; the next heartbeat fills in what the table lags behind.
 */
export async function listenForCheckpoints(
  notifier: Notifier,
  board: CheckpointBoard,
  load: () => Promise<Record<string, Position>>,
): Promise<() => Promise<void>> {
  const apply = (positions: Record<string, unknown>) => {
    for (const [name, position] of Object.entries(positions)) {
      // a payload anyone with the database could send: ignore what is not a position of ours
      if (typeof position !== 'string') continue
      try {
        board.advance(name, position)
      } catch {
        // not a position of this store
      }
    }
  }
  const unlisten = await notifier.listen(CHECKPOINTS_CHANNEL, (payload) => {
    if (payload === 'reconnect') {
      load().then(apply, () => undefined)
      return
    }
    try {
      const parsed = JSON.parse(payload) as unknown
      if (parsed !== null && typeof parsed === 'object') apply(parsed as Record<string, unknown>)
    } catch {
      // not ours
    }
  })
  apply(await load())
  return unlisten
}

/**
 * A read waiting for the read models, told to every process that runs them:
 * their runners cut short the pause they take after a batch (which makes
 * batches bigger under load, and a lone write's read wait for nothing). At
 * most one NOTIFY per `intervalMs`.
 */
export function readerWaiting(notifier: Notifier, onError: (err: Error) => void, intervalMs = 5): () => void {
  let last = 0
  return () => {
    const now = Date.now()
    if (now - last < intervalMs) return
    last = now
    notifier.notify(WAITING_CHANNEL).catch(onError)
  }
}

/** Calls `expedite` whenever some process says a read is waiting. */
export function listenForWaitingReaders(notifier: Notifier, expedite: () => void): Promise<() => Promise<void>> {
  return notifier.listen(WAITING_CHANNEL, expedite)
}
