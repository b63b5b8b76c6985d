import { type EventStore, type Position, START, type StoredEvent } from '../store/event-store'
import { redact } from './sanitize'

/**
 * The auditor feed: stored events as NDJSON, in global order, with the same
 * redaction as the audit log. JSON.stringify escapes CR and LF inside values,
 * so one event is always exactly one line.
 */
export function feedLine(e: StoredEvent): string {
  return `${JSON.stringify({
    position: e.position,
    id: e.id,
    stream: e.stream,
    revision: e.revision.toString(),
    type: e.type,
    data: redact(e.data),
    metadata: redact(e.metadata),
    recorded_at: e.recorded_at.toISOString(),
  })}\n`
}

/** Pages of the feed after `after`, at most `max` events in all (unbounded when omitted). */
export async function* feedPages(store: EventStore, after: Position = START, max = Infinity, page = 1000): AsyncGenerator<StoredEvent[]> {
  let left = max
  while (left > 0) {
    const want = Math.min(page, left)
    const events = await store.readAll({ after, limit: want })
    if (events.length > 0) yield events
    if (events.length < want) return
    left -= events.length
    after = events[events.length - 1]!.position
  }
}
