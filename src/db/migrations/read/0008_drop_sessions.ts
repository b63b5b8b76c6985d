import { type Kysely, sql } from 'kysely'

/**
 * The sessions read model listed a user's live sessions so a demotion could
 * end them. That lookup now reads the store's index of the user's sessions
 * (user_sessions-<id>), which a session that started a moment ago is already
 * in; nothing else read the table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sessions').ifExists().execute()
  await sql`DELETE FROM projection_checkpoints WHERE name = 'sessions'`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_refreshed_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoke_reason', 'text')
    .execute()
}
