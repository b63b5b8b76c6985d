import type { Kysely } from 'kysely'

/**
 * When a consumer's build from position 0 began, while it lasts: its tables
 * then hold only the history up to its checkpoint, and the routes that read
 * them answer 503 rather than show a partial table (api/plugins/consistency.ts).
 * Kept with the checkpoint, so a crash mid-build leaves it to whichever runner
 * leads next, and an API process started meanwhile reads it there.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('projection_checkpoints').addColumn('building_since', 'timestamptz').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('projection_checkpoints').dropColumn('building_since').execute()
}
