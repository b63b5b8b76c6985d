import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/database'
import type { TableName } from './projection'

/**
 * Gathers the planner's statistics on tables a build from position 0 has just
 * filled, as PostgreSQL's advice for any bulk load goes. Until they exist the
 * planner guesses from defaults: on the campus history, the analytics summary
 * took 5.5 s instead of 137 ms and the dashboard counters 52 ms instead of 23.
 * Autovacuum would gather them later (not at all where it is off); a reader
 * should not wait for that. ANALYZE takes a lock that writers pass.
 */
export async function analyzeTables(db: Kysely<Database>, tables: readonly TableName[]): Promise<void> {
  if (tables.length === 0) return
  await sql`ANALYZE ${sql.join(tables.map((t) => sql.table(t)))}`.execute(db)
}
