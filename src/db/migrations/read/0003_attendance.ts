import { type Kysely, sql } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('club_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('location', 'text')
    .addColumn('notes', 'text')
    .addColumn('geofence', 'jsonb')
    .addColumn('created_by', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('attendance_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  // upcoming / past lists page by (starts_at, id) over live events
  await sql`CREATE INDEX club_events_live ON club_events (starts_at, id) WHERE deleted_at IS NULL`.execute(db)

  await db.schema
    .createTable('qr_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('club_event_id', 'uuid', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('issued_by', 'uuid', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid')
    .execute()
  await sql`CREATE INDEX qr_sessions_active ON qr_sessions (club_event_id, expires_at) WHERE revoked_at IS NULL`.execute(
    db,
  )

  await db.schema
    .createTable('attendance_records')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('club_event_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('qr_session_id', 'uuid', (c) => c.notNull())
    .addColumn('marked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('location', 'jsonb')
    .addUniqueConstraint('attendance_one_per_member', ['club_event_id', 'user_id'])
    .execute()
  await db.schema.createIndex('attendance_by_user').on('attendance_records').columns(['user_id', 'marked_at']).execute()
  await db.schema
    .createIndex('attendance_by_event')
    .on('attendance_records')
    .columns(['club_event_id', 'marked_at', 'id'])
    .execute()

  await db.schema
    .createTable('used_nonces')
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('club_event_id', 'uuid', (c) => c.notNull())
    .addColumn('qr_session_id', 'uuid', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('used_nonces_pk', ['nonce', 'user_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['used_nonces', 'attendance_records', 'qr_sessions', 'club_events'])
    await db.schema.dropTable(t).execute()
}
