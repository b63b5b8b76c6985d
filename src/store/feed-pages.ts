import { type EventStore, type Position, START, type StoredEvent } from './event-store'

/** Pages of the global feed after `after`, up to what the feed shows now. */
export async function* feedPages(
  store: Pick<EventStore, 'readAll'>,
  after: Position = START,
  page = 1000,
): AsyncGenerator<StoredEvent[]> {
  for (;;) {
    const events = await store.readAll({ after, limit: page })
    if (events.length > 0) yield events
    if (events.length < page) return
    after = events[events.length - 1]!.position
  }
}
