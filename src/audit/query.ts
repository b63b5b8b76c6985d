import { type Kysely, type Selectable, sql } from 'kysely'
import type { AuditLogTable, Database } from '../db/database'

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

/** The keyset: the last row's (at, id); rows come newest first. */
export type AuditKey = [at: string, id: string]

/** One page of audit rows, newest first, strictly after `after` in that order. */
export function auditPage(
  db: Kysely<Database>,
  filter: AuditFilter,
  after: AuditKey | undefined,
  limit: number,
): Promise<Selectable<AuditLogTable>[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit)
  if (filter.action) q = q.where('action', '=', filter.action)
  if (filter.actor_id) q = q.where('actor_id', '=', filter.actor_id)
  if (filter.target_id) q = q.where('target_id', '=', filter.target_id)
  if (filter.outcome) q = q.where('outcome', '=', filter.outcome)
  if (filter.from) q = q.where('at', '>=', filter.from)
  if (filter.to) q = q.where('at', '<', filter.to)
  if (after) q = q.where(sql<boolean>`(at, id) < (${new Date(after[0])}, ${after[1]}::uuid)`)
  return q.execute()
}

export const auditKey = (row: Selectable<AuditLogTable>): AuditKey => [row.at.toISOString(), row.id]

/** The API's view of a row (details are already redacted and escaped). */
export function auditView(r: Selectable<AuditLogTable>) {
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
    details: (r.details ?? {}) as Record<string, unknown>,
  }
}

export const CSV_COLUMNS = [
  'id',
  'at',
  'position',
  'action',
  'outcome',
  'actor_id',
  'actor_role',
  'target_type',
  'target_id',
  'ip',
  'user_agent',
  'request_id',
  'event_type',
  'stream',
  'details',
] as const

/** Every matching row from `after` on, in pages, for the CSV export. */
export async function* auditRows(
  db: Kysely<Database>,
  filter: AuditFilter,
  after: AuditKey | undefined,
  page = 1000,
): AsyncGenerator<Selectable<AuditLogTable>[]> {
  for (;;) {
    const rows = await auditPage(db, filter, after, page)
    if (rows.length > 0) yield rows
    if (rows.length < page) return
    after = auditKey(rows[rows.length - 1]!)
  }
}
