import { open } from 'node:fs/promises'
import { feedLine } from '../../projections/audit/feed'
import { feedPages } from '../../store/feed-pages'
import { type EventStore, START } from '../../store/event-store'

/**
 * `events export --out <file> [--after <position>]`: the auditor feed, the
 * same NDJSON lines as GET /api/admin/event-stream, for the whole store.
 * Returns how many events were written and the last position (to resume with --after).
 */
export async function exportEvents(
  store: EventStore,
  file: string,
  after: string = START,
): Promise<{ count: number; last: string }> {
  // 0600: the feed is redacted, but it is still the club's whole history
  const out = await open(file, 'w', 0o600)
  let count = 0
  let last = after
  try {
    for await (const events of feedPages(store, after)) {
      await out.write(events.map(feedLine).join(''))
      count += events.length
      last = events[events.length - 1]!.position
    }
  } finally {
    await out.close()
  }
  return { count, last }
}
