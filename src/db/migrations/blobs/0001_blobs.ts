import { type Kysely, sql } from 'kysely'

// Frozen once merged: later changes get a new migration.
export async function up(db: Kysely<any>): Promise<void> {
  // the bytes of stored files (study resources), ~256 KiB a row, in order: written as an
  // upload streams in and read back the same way, never whole (docs/resources.md)
  await sql`
    CREATE TABLE blob_chunks (
      blob_id uuid    NOT NULL,
      seq     integer NOT NULL,
      bytes   bytea   NOT NULL,
      PRIMARY KEY (blob_id, seq)
    )`.execute(db)
  // a blob whose event is not yet known to be stored: a crash mid-upload leaves its
  // chunks here, and the sweep erases those nothing ever recorded
  await sql`
    CREATE TABLE blob_uploads (
      blob_id    uuid PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE blob_uploads`.execute(db)
  await sql`DROP TABLE blob_chunks`.execute(db)
}
