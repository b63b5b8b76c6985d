import { type Kysely, sql } from 'kysely'

/** Notifications and the notifications consumer's own state (docs/architecture.md §6). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('read_at', 'timestamptz')
    // how many facts a coalesced notification stands for (attendance marks in one minute)
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    // the feed ordinal of the event that last changed the row: the live stream's resume cursor
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute()
  await sql`CREATE INDEX notifications_by_user ON notifications (user_id, created_at DESC, id DESC)`.execute(db)
  // unread lists and counts touch only the unread rows
  await sql`CREATE INDEX notifications_unread ON notifications (user_id, created_at DESC, id DESC) WHERE read_at IS NULL`.execute(
    db,
  )
  // unique: a resume after seq N must not skip a second row that carries N
  await sql`CREATE UNIQUE INDEX notifications_by_seq ON notifications (user_id, seq)`.execute(db)

  // who is an admin as of the event being applied, so a replay fans out to the same people
  await db.schema
    .createTable('notification_admins')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .execute()
  // whom to tell about a club event's attendance, and what to call it
  await db.schema
    .createTable('notification_club_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('created_by', 'uuid', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .execute()
  // how many events of the global feed the consumer has seen (one row)
  await db.schema
    .createTable('notification_feed')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('events_seen', 'bigint', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['notification_feed', 'notification_club_events', 'notification_admins', 'notifications'])
    await db.schema.dropTable(t).execute()
}
