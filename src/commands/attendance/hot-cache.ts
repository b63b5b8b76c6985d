import { clubEventDecider } from '../../domain/club-events/decide'
import { clubEventStream } from '../../domain/club-events/events'
import type { ClubEventState } from '../../domain/club-events/state'
import { qrSessionDecider } from '../../domain/qr/decide'
import { qrSessionStream } from '../../domain/qr/events'
import type { QrSessionState } from '../../domain/qr/state'
import type { EventStore, Subscription } from '../../store/event-store'
import { loadState } from '../handle'

const MAX_ENTRIES = 10_000

/**
 * What a mark needs about a QR session and its club event, read from their
 * streams (never from a projection that could lag) and then kept in memory:
 * an issued QR session never changes. What can change — a revocation, an
 * edit or deletion of the club event — reaches every API process through the
 * event feed, which drops the entry so the next mark reads the stream again;
 * the process that appended the change drops it at once (forget*), so its own
 * next mark never waits for the feed.
 * A per-key version stops a read that raced an invalidation from caching a
 * stale state. Concurrent misses on one key share one read (a hall scanning
 * a fresh QR would otherwise read its streams once per student).
 */
export class HotPathCache {
  private readonly sessions = new Map<string, QrSessionState>()
  private readonly events = new Map<string, ClubEventState>()
  private readonly versions = new Map<string, number>()
  private readonly reading = new Map<string, Promise<unknown>>()
  private subscription: Subscription | undefined

  constructor(private readonly store: EventStore) {}

  async start(): Promise<void> {
    const after = await this.store.head()
    // coalesced: under a steady stream of marks, one feed read per 50 ms rather than one per mark
    this.subscription = this.store.subscribe(
      { after, limit: 1000, pollIntervalMs: 100, coalesceMs: 50 },
      async (events) => {
        for (const e of events) {
          if (e.type === 'QrRevoked')
            this.invalidate(this.sessions, (e.data as { qr_session_id: string }).qr_session_id)
          else if (e.type === 'ClubEventUpdated' || e.type === 'ClubEventDeleted')
            this.invalidate(this.events, (e.data as { club_event_id: string }).club_event_id)
        }
      },
    )
  }

  async stop(): Promise<void> {
    await this.subscription?.stop()
  }

  qrSession(id: string): Promise<QrSessionState> {
    return this.load(
      this.sessions,
      id,
      () => loadState(this.store, qrSessionStream(id), qrSessionDecider),
      (s) => s.status === 'issued',
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
   * Drops an entry at once: the process that appended a revocation, edit or
   * deletion must not act on the old state while the feed catches up (other
   * processes still learn of it through the feed).
   */
  forgetQrSession(id: string): void {
    this.invalidate(this.sessions, id)
  }

  forgetClubEvent(id: string): void {
    this.invalidate(this.events, id)
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
    const pending = read().then((state) => {
      if (cacheable(state) && this.versions.get(id) === version) {
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
