import type { Kysely } from 'kysely'

/**
 * The secondary indexes a consumer's tables go without while it builds from
 * position 0 (projections/deferred-indexes.ts): their definitions, kept on its
 * checkpoint row until its runner has caught up and made them again. Kept
 * with the checkpoint, so a crash mid-build leaves the list to whichever
 * runner leads next.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('projection_checkpoints').addColumn('deferred_indexes', 'jsonb').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('projection_checkpoints').dropColumn('deferred_indexes').execute()
}
