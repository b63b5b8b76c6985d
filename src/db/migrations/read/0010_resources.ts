import { type Kysely, sql } from 'kysely'

/** Study resources (projections/resources/resources.ts): a row per upload, kept with deleted_at once deleted. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('resources')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    // RESOURCE_MAX_BYTES is at most 1 GiB: an integer holds every size
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('club_event_id', 'uuid')
    .addColumn('uploaded_by', 'uuid', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('deleted_by', 'uuid')
    .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  // the lists: newest first, the whole club's or one club event's, deleted ones left out
  await sql`CREATE INDEX resources_live ON resources (uploaded_at DESC, id DESC) WHERE deleted_at IS NULL`.execute(db)
  await sql`CREATE INDEX resources_by_event ON resources (club_event_id, uploaded_at DESC, id DESC) WHERE deleted_at IS NULL`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('resources').execute()
}
