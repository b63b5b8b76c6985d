import type { Kysely } from 'kysely'

/**
 * A QR session replaced by a rotation still marks until valid_until (the
 * grace), so it leaves the list of live codes at the earlier of that and its
 * expiry. Null for a session never rotated.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('qr_sessions').addColumn('valid_until', 'timestamptz').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('qr_sessions').dropColumn('valid_until').execute()
}
