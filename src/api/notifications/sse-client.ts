import type { ServerResponse } from 'node:http'
import type { NotificationChange } from '../../projections/notifications/queries'

/** the notifications of `userId` changed after `seq`, oldest change first */
export type FetchChanges = (userId: string, seq: number, limit: number) => Promise<NotificationChange[]>

const PAGE = 100

/** Notifications after which the member may no longer listen (whichever API process holds the stream). */
const ENDS_MEMBERSHIP = new Set(['membership_deactivated', 'membership_removed'])

/** One Server-Sent Event: `id` is the resume cursor a reconnecting EventSource sends back as Last-Event-ID. */
function notificationFrame(c: NotificationChange): string {
  return `id: ${c.seq}\nevent: notification\ndata: ${JSON.stringify(c.notification)}\n\n`
}

/**
 * One open stream. Sends are serialised: a wake-up that arrives while rows are
 * being sent makes it look again afterwards, so nothing committed is missed and
 * nothing is sent twice (the cursor only moves forward).
 */
export class SseClient {
  private cursor = -1
  private sending: Promise<void> | undefined
  private again = false
  private closed = false

  constructor(
    readonly userId: string,
    private readonly res: ServerResponse,
    private readonly fetch: FetchChanges,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Sets where to resume from, then sends whatever is already after it. */
  start(cursor: number): void {
    this.cursor = cursor
    this.wake()
  }

  wake(): void {
    // not started: start() sends everything after the cursor anyway
    if (this.closed || this.cursor < 0) return
    if (this.sending) {
      this.again = true
      return
    }
    this.sending = this.drain()
      .catch((err: Error) => {
        this.onError(err)
        this.end()
      })
      .finally(() => {
        this.sending = undefined
        if (this.again) {
          this.again = false
          this.wake()
        }
      })
  }

  private async drain(): Promise<void> {
    for (;;) {
      const rows = await this.fetch(this.userId, this.cursor, PAGE)
      for (const r of rows) {
        if (this.closed) return
        await this.write(notificationFrame(r))
        this.cursor = r.seq
        if (ENDS_MEMBERSHIP.has(r.notification.type)) {
          // the member is told why, then the stream ends; a reconnect is refused unless reactivated meanwhile
          void this.end()
          return
        }
      }
      if (rows.length < PAGE) return
    }
  }

  /** A comment line: keeps proxies from timing the connection out, and shows a dead peer. */
  heartbeat(): void {
    // not started: the response head is not written yet
    if (!this.closed && this.cursor >= 0) void this.write(': ping\n\n')
  }

  private async write(chunk: string): Promise<void> {
    // a slow reader: wait for the socket buffer to drain instead of queueing in memory
    if (this.res.write(chunk)) return
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done)
        this.res.off('close', done)
        resolve()
      }
      this.res.on('drain', done)
      this.res.on('close', done)
    })
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Ends the response; resolves once the connection is gone (or after a second). */
  end(): Promise<void> {
    this.closed = true
    if (this.res.destroyed || this.res.writableFinished) return Promise.resolve()
    const gone = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000)
      this.res.once('close', () => (clearTimeout(timer), resolve()))
    })
    this.res.end()
    return gone
  }
}
