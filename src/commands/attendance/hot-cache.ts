import { clubEventDecider } from '../../domain/club-events/decide'
import { clubEventStream } from '../../domain/club-events/events'
import type { ClubEventState } from '../../domain/club-events/state'
import { qrSessionDecider } from '../../domain/qr/decide'
import { qrSessionStream } from '../../domain/qr/events'
import type { QrSessionState } from '../../domain/qr/state'
import type { Notifier } from '../../db/sql-pool'
import type { EventStore, Subscription } from '../../store/event-store'
import { loadState } from '../handle'

const MAX_ENTRIES = 10_000
/** one notification per change to something the hot path caches: `qr:<id>` or `event:<id>` */
const CHANNEL = 'dscp_hot_path'

export interface HotPathCacheOptions {
  /** tells every process of a change the moment it is stored (PostgreSQL NOTIFY; in process on PGlite) */
  notifier?: Notifier
  /** a notification that could not be sent: the feed still carries the change, later */
  onError?: (err: Error) => void
}

/**
 * What a mark needs about a QR session and its club event, read from their
 * streams (never from a projection that could lag) and then kept in memory:
 * an issued QR session never changes. What can change — a revocation or
 * rotation, an edit, status change or deletion of the club event — is dropped at once by the
 * process that appended it (forget*), which then notifies every other
 * process, so the next mark anywhere reads the stream again. The notification does not wait for
 * the event feed, which shows an event only once every older transaction in
 * the cluster has ended: one transaction held open elsewhere would otherwise
 * keep a revoked QR working for as long as it stays open. The feed still
 * drops the entry too, as the safety net for a notification that was lost
 * (one sent while a process's LISTEN connection was down makes it forget
 * everything it cached, as it cannot know what it missed).
 * A per-key version stops a read that raced an invalidation from caching a
 * stale state. Concurrent misses on one key share one read (a hall scanning
 * a fresh QR would otherwise read its streams once per student).
 */
export class HotPathCache {
  private readonly sessions = new Map<string, QrSessionState>()
  private readonly events = new Map<string, ClubEventState>()
  private readonly versions = new Map<string, number>()
  private readonly reading = new Map<string, Promise<unknown>>()
  /** bumped when everything is forgotten: a read under way then must not fill the cache */
  private epoch = 0
  private subscription: Subscription | undefined
  private unlisten: (() => Promise<void>) | undefined

  constructor(
    private readonly store: EventStore,
    private readonly opts: HotPathCacheOptions = {},
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.opts.notifier?.listen(CHANNEL, (payload) => this.noticed(payload))
    const after = await this.store.head()
    // coalesced: under a steady stream of marks, one feed read per 50 ms rather than one per mark
    this.subscription = this.store.subscribe(
      { after, limit: 1000, pollIntervalMs: 100, coalesceMs: 50 },
      async (events) => {
        for (const e of events) {
          if (e.type === 'QrRevoked' || e.type === 'QrRotated')
            this.invalidate(this.sessions, (e.data as { qr_session_id: string }).qr_session_id)
          else if (
            e.type === 'ClubEventUpdated' ||
            e.type === 'ClubEventDeleted' ||
            e.type === 'ClubEventStatusChanged'
          )
            this.invalidate(this.events, (e.data as { club_event_id: string }).club_event_id)
        }
      },
    )
  }

  async stop(): Promise<void> {
    await this.unlisten?.()
    await this.subscription?.stop()
  }

  qrSession(id: string): Promise<QrSessionState> {
    return this.load(
      this.sessions,
      id,
      () => loadState(this.store, qrSessionStream(id), qrSessionDecider),
      // a rotated session changes again only by a revocation, which drops it
      (s) => s.status === 'issued' || s.status === 'rotated',
    )
  }

  clubEvent(id: string): Promise<ClubEventState> {
    return this.load(
      this.events,
      id,
      () => loadState(this.store, clubEventStream(id), clubEventDecider),
      (s) => s.status === 'active',
    )
  }

  /**
   * Drops an entry at once, here and (by the time this resolves, the
   * notification sent) in every other process: called after a revocation,
   * edit or deletion was appended. Never throws: the change is stored, and
   * a notification that failed still reaches the others through the feed.
   */
  async forgetQrSession(id: string): Promise<void> {
    this.invalidate(this.sessions, id)
    await this.announce(`qr:${id}`)
  }

  async forgetClubEvent(id: string): Promise<void> {
    this.invalidate(this.events, id)
    await this.announce(`event:${id}`)
  }

  private async announce(payload: string): Promise<void> {
    await this.opts.notifier?.notify(CHANNEL, payload).catch((err: Error) => this.opts.onError?.(err))
  }

  private noticed(payload: string): void {
    // the notifier's word for "notifications sent meanwhile are lost"
    if (payload === 'reconnect') return this.forgetAll()
    const colon = payload.indexOf(':')
    const kind = payload.slice(0, colon)
    const id = payload.slice(colon + 1)
    if (kind === 'qr') this.invalidate(this.sessions, id)
    else if (kind === 'event') this.invalidate(this.events, id)
  }

  private forgetAll(): void {
    this.epoch++
    this.sessions.clear()
    this.events.clear()
    this.reading.clear()
  }

  private invalidate<T>(map: Map<string, T>, id: string): void {
    map.delete(id)
    this.reading.delete(id) // a read already under way may predate the change: later callers read again
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1)
  }

  /** Only states that can still change through the feed are cached (a missing stream could appear any moment). */
  private async load<T>(
    map: Map<string, T>,
    id: string,
    read: () => Promise<T>,
    cacheable: (s: T) => boolean,
  ): Promise<T> {
    const hit = map.get(id)
    if (hit !== undefined) return hit
    const shared = this.reading.get(id) as Promise<T> | undefined
    if (shared) return shared
    const version = this.versions.get(id)
    const epoch = this.epoch
    const pending = read().then((state) => {
      if (cacheable(state) && this.versions.get(id) === version && this.epoch === epoch) {
        if (map.size >= MAX_ENTRIES) map.clear()
        map.set(id, state)
      }
      return state
    })
    this.reading.set(id, pending)
    const done = () => this.reading.get(id) === pending && this.reading.delete(id)
    pending.then(done, done)
    return pending
  }
}
