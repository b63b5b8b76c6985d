import { type Kysely, sql } from 'kysely'

// Frozen once merged: later changes get a new migration.
export async function up(db: Kysely<any>): Promise<void> {
  // `tx` is the writing transaction's id: readers of the global feed only see
  // transactions older than the oldest one still running (pg_snapshot_xmin),
  // so an event that commits late can never be skipped (docs/architecture.md §4).
  await sql`
    CREATE TABLE es_events (
      position    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      tx          xid8 NOT NULL DEFAULT pg_current_xact_id(),
      id          uuid NOT NULL UNIQUE,
      stream      text NOT NULL,
      revision    bigint NOT NULL,
      type        text NOT NULL,
      data        jsonb NOT NULL,
      metadata    jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (stream, revision)
    )`.execute(db)
  await sql`CREATE INDEX es_events_feed ON es_events (tx, position)`.execute(db)
  // one row per stream: the expected-revision check is a lock on this row
  await sql`
    CREATE TABLE es_streams (
      stream   text PRIMARY KEY,
      revision bigint NOT NULL
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE es_streams`.execute(db)
  await sql`DROP TABLE es_events`.execute(db)
}
