import { classify } from '../audit/actions'
import { escapeDeep, redact, safeText } from '../audit/sanitize'
import type { StoredEvent } from '../store/event-store'
import type { Projection, RowChange } from './projection'

/**
 * audit_log: one row per stored event, refusals included (LoginFailed,
 * AccessDenied, AttendanceRejected…), named in the OWASP logging vocabulary.
 * Who and from where come from the event's metadata. Secrets are redacted
 * and control characters escaped before a row is written, so no reader of
 * the table (API, CSV, a BI tool) ever sees either.
 */
export function auditRow(event: StoredEvent) {
  const m = event.metadata ?? {}
  const c = classify(event)
  const data =
    event.data !== null && typeof event.data === 'object' && !Array.isArray(event.data)
      ? event.data
      : { value: event.data }
  return {
    id: event.id,
    at: event.recorded_at,
    position: event.position,
    stream: safeText(event.stream, 300) ?? '',
    event_type: safeText(event.type, 200) ?? '',
    action: c.action,
    outcome: c.outcome,
    actor_id: safeText(m.actor_id, 100),
    actor_role: safeText(m.actor_role, 50),
    target_type: c.target_type,
    target_id: safeText(c.target_id, 300),
    ip: safeText(m.ip, 100),
    user_agent: safeText(m.user_agent, 1024),
    request_id: safeText(m.request_id, 100),
    correlation_id: safeText(m.correlation_id, 100),
    details: escapeDeep(redact(data)) as Record<string, unknown>,
  }
}

export const auditLogProjection: Projection = {
  name: 'audit_log',
  tables: ['audit_log'],
  project(event: StoredEvent): RowChange[] {
    // the event id is the key: a replayed batch inserts nothing twice
    return [{ kind: 'insert', table: 'audit_log', row: auditRow(event), onConflict: 'nothing' }]
  },
}
