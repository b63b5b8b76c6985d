import { redact } from '../../domain/audit/sanitize'
import type { StoredEvent } from '../../store/event-store'

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
