import type { Kysely } from 'kysely'

/**
 * legacy_ids: what each imported row of the original portal became here
 * (docs/migration.md). Searched by the legacy id an admin or an old script
 * still knows (an integer of v1, 'admin-default-uuid'…), and by our id.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('legacy_ids')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('legacy_table', 'text', (c) => c.notNull())
    .addColumn('legacy_id', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('legacy_ids_pk', ['source', 'legacy_table', 'legacy_id'])
    .execute()
  await db.schema.createIndex('legacy_ids_by_legacy_id').on('legacy_ids').column('legacy_id').execute()
  await db.schema.createIndex('legacy_ids_by_entity').on('legacy_ids').column('entity_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('legacy_ids').execute()
}
