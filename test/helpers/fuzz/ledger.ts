import { sql } from 'kysely'
import { classify } from '../../../src/domain/audit/actions'
import type { Runtime } from '../../../src/runtime'
import { eventually } from '../eventually'

/**
 * What the route fuzz watches besides responses: the events each request
 * appended, and the read tables. A refused request may append the record of
 * its refusal (an audit failure: AccessDenied, LoginFailed, AttendanceRejected)
 * and nothing else, and so change no read table but the audit log's.
 */
export interface Appended {
  type: string
  request_id: string | null
  refusal: boolean
}

/** the store's own tables and bookkeeping, not read models */
const NOT_READ_MODELS = new Set([
  'es_events',
  'es_streams',
  'es_migrations',
  'read_migrations',
  'projection_checkpoints',
])
/**
 * read tables a refusal legitimately changes: the audit log and its hash chain
 * hold a row per event, refusals included; notification_feed counts the events
 * the notifier has seen (checked instead: audit_log grows by refusals only)
 */
const RECORD_REFUSALS = new Set(['audit_log', 'event_chain', 'event_chain_head', 'notification_feed'])

export class Ledger {
  private last = '0'
  private tables: string[] = []

  constructor(private readonly runtime: Runtime) {}

  async start(): Promise<void> {
    const { rows } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(this.runtime.db.kysely)
    this.tables = rows.map((r) => r.table_name).filter((t) => !NOT_READ_MODELS.has(t) && !RECORD_REFUSALS.has(t))
    await this.appended()
  }

  /** the read tables compared before and after refusals */
  get readTables(): readonly string[] {
    return this.tables
  }

  /** Every event appended since the last call, in the order of its position. */
  async appended(): Promise<Appended[]> {
    const { rows } = await sql<{ position: string; type: string; data: unknown; request_id: string | null }>`
      SELECT e.position::text AS position, e.type, e.data, e.metadata->>'request_id' AS request_id
        FROM es_events e WHERE e.position > ${this.last}::bigint ORDER BY e.position`.execute(this.runtime.db.kysely)
    if (rows.length) this.last = rows[rows.length - 1]!.position
    return rows.map((r) => ({
      type: r.type,
      request_id: r.request_id,
      refusal: classify({ type: r.type, data: r.data }).outcome === 'failure',
    }))
  }

  /** Waits until every projection and reactor has dealt with every stored event. */
  async quiescent(): Promise<void> {
    const { store, runners, db } = this.runtime
    const { rows } = await sql<{ at: string }>`
      SELECT tx::text || ':' || position::text AS at FROM es_events ORDER BY tx DESC, position DESC LIMIT 1`.execute(
      db.kysely,
    )
    const at = rows[0]?.at
    if (at) await eventually(() => runners.every((r) => store.compare(r.position, at) >= 0), 30_000, 10)
  }

  /** Each read table's row count and a sum of its rows' hashes (order-free, cheap on the fuzz's small tables). */
  async snapshot(): Promise<Record<string, string>> {
    await this.quiescent()
    const parts = this.tables.map(
      (t) => sql`SELECT ${t} AS name, count(*) || ':' || coalesce(sum(hashtext(x::text)::bigint), 0) AS sum
                   FROM ${sql.table(t)} x`,
    )
    const { rows } = await sql<{ name: string; sum: string }>`${sql.join(parts, sql` UNION ALL `)}`.execute(
      this.runtime.db.kysely,
    )
    return Object.fromEntries(rows.map((r) => [r.name, r.sum]))
  }

  /** audit_log rows by outcome */
  async auditOutcomes(): Promise<Record<string, number>> {
    const rows = await this.runtime.db.kysely
      .selectFrom('audit_log')
      .select(['outcome', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('outcome')
      .execute()
    return Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]))
  }
}
