import type { ServerResponse } from 'node:http'
import { type FetchChanges, SseClient } from './sse-client'

/** What the hub reads: the notifications read model and its wake-ups (projections/notifications). */
export interface HubSource {
  changedAfter: FetchChanges
  /** the newest seq of a user's notifications: where a stream without Last-Event-ID starts */
  latestSeq(userId: string): Promise<number>
  /** calls `onWake` with a user id (or 'reconnect') on every change; resolves to the unlisten */
  listen(onWake: (payload: string) => void): Promise<() => Promise<void>>
}

export interface HubOptions {
  /** comment line interval on every open stream. @defaultValue 15000 */
  heartbeatMs?: number
  onError?: (err: Error) => void
}

/**
 * The live streams of one API process. Whichever process runs the
 * notifications consumer, its commit NOTIFYs every process's hub with the
 * user id, and each hub sends that user's open streams the rows after their
 * cursor. Ends every stream on close, so a shutdown never waits on them.
 */
export class NotificationHub {
  private readonly clients = new Map<string, Set<SseClient>>()
  private readonly timer: NodeJS.Timeout
  private unlisten: (() => Promise<void>) | undefined
  private closed = false

  private constructor(
    private readonly source: HubSource,
    private readonly opts: HubOptions,
  ) {
    this.timer = setInterval(() => this.each((c) => c.heartbeat()), opts.heartbeatMs ?? 15_000)
    this.timer.unref()
  }

  static async start(source: HubSource, opts: HubOptions = {}): Promise<NotificationHub> {
    const hub = new NotificationHub(source, opts)
    hub.unlisten = await source.listen((payload) => hub.wake(payload))
    return hub
  }

  private each(fn: (c: SseClient) => void): void {
    for (const set of this.clients.values()) for (const c of set) fn(c)
  }

  /** a user id, or 'reconnect' (NOTIFYs may have been lost meanwhile: everyone looks again) */
  private wake(payload: string): void {
    if (payload === 'reconnect') this.each((c) => c.wake())
    else for (const c of this.clients.get(payload) ?? []) c.wake()
  }

  /** how many streams `userId` has open on this process */
  openStreams(userId: string): number {
    return this.clients.get(userId)?.size ?? 0
  }

  /**
   * Streams `userId`'s notifications into `res`: first every change after
   * `lastEventId` (or, without one, only what happens from now on), then live.
   * `open` writes the response head; it runs once the starting point is
   * fixed, so a client that has the head misses nothing that commits after.
   */
  async attach(userId: string, res: ServerResponse, lastEventId: number | undefined, open: () => void): Promise<void> {
    const client = new SseClient(userId, res, this.source.changedAfter, (err) => this.opts.onError?.(err))
    if (this.closed) return void res.end()
    // registered before the cursor is read, so a commit in between still wakes it
    let set = this.clients.get(userId)
    if (!set) this.clients.set(userId, (set = new Set()))
    set.add(client)
    res.once('close', () => {
      void client.end()
      set.delete(client)
      if (set.size === 0 && this.clients.get(userId) === set) this.clients.delete(userId)
    })
    const cursor = lastEventId ?? (await this.source.latestSeq(userId))
    if (client.isClosed) return
    open()
    client.start(cursor)
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.timer)
    const open: SseClient[] = []
    this.each((c) => open.push(c))
    this.clients.clear()
    await Promise.all(open.map((c) => c.end()))
    await this.unlisten?.().catch(() => undefined)
  }
}
