import { type Kysely, sql } from 'kysely'

/**
 * notification_unread: each member's unread count, kept by the notifications
 * consumer and the read commands as rows change, instead of counted on every
 * list (35,000 unread rows for an admin of a campus: issue 18). Filled here
 * from the rows as they stand.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_unread')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .addColumn('unread', 'integer', (c) => c.notNull())
    .execute()
  await sql`INSERT INTO notification_unread (user_id, unread)
            SELECT user_id, count(*) FROM notifications WHERE read_at IS NULL GROUP BY user_id`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_unread').execute()
}
