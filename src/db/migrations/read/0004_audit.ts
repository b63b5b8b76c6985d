import { type Kysely, sql } from 'kysely'

// Frozen once merged: later changes get a new migration.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'uuid', (c) => c.primaryKey()) // the event's id
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    // text, not uuid: metadata is whatever the writer put there, and a
    // malformed value must not stop the projection
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text')
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('request_id', 'text')
    .addColumn('correlation_id', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .execute()
  // the list pages newest first by (at, id); each filter has its own leading column
  await db.schema.createIndex('audit_log_page').on('audit_log').columns(['at', 'id']).execute()
  await db.schema.createIndex('audit_log_by_action').on('audit_log').columns(['action', 'at', 'id']).execute()
  await db.schema.createIndex('audit_log_by_actor').on('audit_log').columns(['actor_id', 'at', 'id']).execute()
  await db.schema.createIndex('audit_log_by_target').on('audit_log').columns(['target_id', 'at', 'id']).execute()
  // failures are the rare rows an auditor looks for; successes use audit_log_page
  await sql`CREATE INDEX audit_log_failures ON audit_log (at, id) WHERE outcome = 'failure'`.execute(db)

  // the tamper-evidence chain over the store's global order (domain/audit/chain.ts)
  await db.schema
    .createTable('event_chain')
    .addColumn('position', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull().unique())
    .addColumn('link', 'text', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('event_chain').execute()
  await db.schema.dropTable('audit_log').execute()
}
