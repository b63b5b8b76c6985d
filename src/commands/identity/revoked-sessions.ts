import type { Notifier } from '../../db/sql-pool'
import { type RevokeReason, endsAccessTokens, sessionDecider, sessionStream } from '../../domain/identity/session'
import { Lru } from '../../platform/lru'
import type { EventStore, Subscription } from '../../store/event-store'
import { loadState } from '../handle'

/**
 * Which sessions have ended, so that their access tokens stop working at once
 * rather than when they expire. The authenticated hot path asks `ended()`,
 * answered from this process' memory: no round trip.
 */
export interface SessionRevocations {
  /** Called after a SessionRevoked is appended: this process knows before it answers, every other within ms. */
  revoked(event: { session_id: string; reason: RevokeReason }): Promise<void>
  /**
   * Whether the session of an access token issued at `iat` (seconds) has
   * ended. A boolean from memory; a promise only for a token issued before
   * this process began listening, once per session (its stream is read).
   */
  ended(sessionId: string, iat: number): boolean | Promise<boolean>
}

const CHANNEL = 'dscp_session_revoked'
/** clocks of two processes (and a token's whole-second `iat`) may disagree by this much */
const SKEW_MS = 2000
const CHECKED_KEPT = 100_000
const SESSION_ID = /^[0-9a-f-]{36}$/

interface Options {
  /** how long an access token lives: a session's end need not be remembered longer */
  accessTtlMs: number
  now?: () => number
  onError?: (err: Error) => void
}

/**
 * Every API process learns of a revocation three ways: the process that
 * appended it remembers it at once and NOTIFYs the others (delivered in
 * milliseconds, whatever transaction holds the event feed back elsewhere in
 * the cluster), and the feed itself backs both up (a NOTIFY lost while a
 * connection was down). A process knows nothing of revocations made before
 * it listened; the tokens that could belong to such a session are those
 * issued before then, so for those alone it reads the session's stream, once.
 * Fifteen minutes after start (an access token's life) there are none left.
 */
export class RevokedSessions implements SessionRevocations {
  /** session id → when its tokens have all expired and it can be forgotten */
  private readonly endedUntil = new Map<string, number>()
  /** sessions of tokens issued before listening, read and found live */
  private readonly checked = new Lru<string, true>(CHECKED_KEPT)
  private readonly checking = new Map<string, Promise<boolean>>()
  /** until start() has run, every token predates listening */
  private listeningSince = Number.POSITIVE_INFINITY
  private subscription: Subscription | undefined
  private unlisten: (() => Promise<void>) | undefined
  private sweepAt = 1000
  private readonly now: () => number

  constructor(
    private readonly store: Pick<EventStore, 'readStream' | 'subscribe' | 'head'>,
    private readonly notifier: Notifier,
    private readonly opts: Options,
  ) {
    this.now = opts.now ?? Date.now
  }

  async start(): Promise<void> {
    this.unlisten = await this.notifier.listen(CHANNEL, (payload) => {
      // 'reconnect': NOTIFYs may have been lost meanwhile; the feed brings them
      if (SESSION_ID.test(payload)) this.remember(payload)
    })
    const after = await this.store.head()
    this.subscription = this.store.subscribe(
      { after, limit: 1000, pollIntervalMs: 100, coalesceMs: 50 },
      async (events) => {
        for (const e of events) {
          if (e.type !== 'SessionRevoked') continue
          const d = e.data as { session_id: string; reason: RevokeReason }
          if (endsAccessTokens(d.reason)) this.remember(d.session_id)
        }
      },
    )
    this.listeningSince = this.now()
  }

  async stop(): Promise<void> {
    await this.subscription?.stop()
    await this.unlisten?.()
  }

  async revoked(event: { session_id: string; reason: RevokeReason }): Promise<void> {
    if (!endsAccessTokens(event.reason)) return
    this.remember(event.session_id)
    // the revocation is stored: a NOTIFY that fails leaves the feed to tell the others
    await this.notifier.notify(CHANNEL, event.session_id).catch((err: Error) => this.opts.onError?.(err))
  }

  ended(sessionId: string, iat: number): boolean | Promise<boolean> {
    if (this.endedUntil.has(sessionId)) return true
    if (iat * 1000 >= this.listeningSince + SKEW_MS) return false
    if (this.checked.get(sessionId)) return false
    return this.lookUp(sessionId)
  }

  /** Reads a session that may have ended before this process listened; concurrent askers share one read. */
  private lookUp(sessionId: string): Promise<boolean> {
    let pending = this.checking.get(sessionId)
    if (!pending) {
      pending = loadState(this.store, sessionStream(sessionId), sessionDecider)
        .then((s) => {
          if (s.status === 'revoked' && endsAccessTokens(s.reason)) this.remember(sessionId)
          else this.checked.set(sessionId, true)
          return this.endedUntil.has(sessionId)
        })
        .finally(() => this.checking.delete(sessionId))
      this.checking.set(sessionId, pending)
    }
    return pending
  }

  private remember(sessionId: string): void {
    const now = this.now()
    this.endedUntil.set(sessionId, now + this.opts.accessTtlMs + SKEW_MS)
    if (this.endedUntil.size < this.sweepAt) return
    for (const [id, until] of this.endedUntil) if (until <= now) this.endedUntil.delete(id)
    this.sweepAt = Math.max(1000, this.endedUntil.size * 2)
  }
}
