import type { Kysely } from 'kysely'

/**
 * used_nonces was written by the attendance projection and read by nothing:
 * a nonce's one-per-member rule is the store's `no_stream` append on the
 * member's attendance stream, and the nonce stays in every AttendanceMarked.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('used_nonces').ifExists().execute()
}

export async function down(db: Kysely<any>): Promise<void> {
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
