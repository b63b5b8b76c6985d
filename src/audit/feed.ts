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

/** Pages of the feed after `after`, up to what the feed shows now. */
export async function* feedPages(
  store: EventStore,
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
