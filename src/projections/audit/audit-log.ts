import type { Selectable } from 'kysely'
import type { AuditLogTable } from '../../db/database'
import { classify } from '../../domain/audit/actions'
import { safeText, sanitize } from '../../domain/audit/sanitize'
import type { StoredEvent } from '../../store/event-store'
import { type Keyset, type Page, keysetPage } from '../keyset'
import type { Executor, Projection, RowChange } from '../projection'

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
  const legacy = importedFrom(event)
  return {
    id: event.id,
    // imported history is shown when it happened, not when it was imported
    at: legacy ? legacy.at : event.recorded_at,
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
    details: sanitize(legacy ? { ...data, imported_from: legacy.from } : data) as Record<string, unknown>,
  }
}

/** An event the legacy import wrote: when it happened in the original portal, and which row it was. */
function importedFrom(event: StoredEvent): { at: Date; from: unknown } | null {
  const { legacy, occurred_at } = event.metadata ?? {}
  const at = typeof occurred_at === 'string' ? new Date(occurred_at) : null
  return legacy && at && !Number.isNaN(at.getTime()) ? { at, from: legacy } : null
}

export const auditLogProjection: Projection = {
  name: 'audit_log',
  tables: ['audit_log'],
  // whoever adds an event type, the audit log has its row
  canHandle: 'all',
  // one insert per event, keyed by its id: a build from position 0 makes the five other indexes at the end
  deferIndexes: true,
  project(event): RowChange[] {
    const row = auditRow(event)
    // the event id is the key: a replayed batch inserts nothing twice
    return [
      {
        kind: 'insert',
        table: 'audit_log',
        row: { ...row, details: JSON.stringify(row.details) },
        onConflict: 'nothing',
      },
    ]
  },
}

type Row = Selectable<AuditLogTable>

export interface AuditFilter {
  action?: string
  actor_id?: string
  target_id?: string
  outcome?: 'success' | 'failure'
  /** inclusive */
  from?: Date
  /** exclusive */
  to?: Date
}

/** The API's view of a row (details are already redacted and escaped). */
export function auditView(r: Row) {
  return {
    id: r.id,
    at: r.at.toISOString(),
    position: r.position,
    action: r.action,
    outcome: r.outcome,
    actor_id: r.actor_id,
    actor_role: r.actor_role,
    target_type: r.target_type,
    target_id: r.target_id,
    ip: r.ip,
    user_agent: r.user_agent,
    request_id: r.request_id,
    event_type: r.event_type,
    stream: r.stream,
    details: r.details ?? {},
  }
}

export type AuditView = ReturnType<typeof auditView>

/** One page of audit rows, newest first. */
export async function pageAuditLog(
  db: Executor,
  filter: AuditFilter,
  after: Keyset | undefined,
  limit: number,
): Promise<Page<AuditView>> {
  let q = db.selectFrom('audit_log').selectAll()
  if (filter.action) q = q.where('action', '=', filter.action)
  if (filter.actor_id) q = q.where('actor_id', '=', filter.actor_id)
  if (filter.target_id) q = q.where('target_id', '=', filter.target_id)
  if (filter.outcome) q = q.where('outcome', '=', filter.outcome)
  if (filter.from) q = q.where('at', '>=', filter.from)
  if (filter.to) q = q.where('at', '<', filter.to)
  const order = {
    columns: ['at', 'id'] as [string, string],
    direction: 'desc' as const,
    keyOf: (r: Row) => ({ at: r.at, id: r.id }),
  }
  const { rows, next } = await keysetPage(q, order, after, limit)
  return { items: rows.map(auditView), next }
}

/** Every matching row from `after` on, page by page (the CSV export). */
export async function* auditLogPages(
  db: Executor,
  filter: AuditFilter,
  after: Keyset | undefined,
  size = 1000,
): AsyncGenerator<AuditView[]> {
  for (let cursor = after; ;) {
    const page = await pageAuditLog(db, filter, cursor, size)
    if (page.items.length > 0) yield page.items
    if (!page.next) return
    cursor = page.next
  }
}
