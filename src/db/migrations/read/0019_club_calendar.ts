import { type Kysely, sql } from 'kysely'

/**
 * club_calendar: one row whose version the club_events projection raises
 * whenever an event is created, edited, has its status changed or is deleted
 * (not when it is marked). An API process keeps the calendar (each event's
 * start, end and whether it was called off) under that version and reads
 * only the version per request: the members' figures counted the held events'
 * ends in PostgreSQL on every page, 2,000 rows that the marks keep rewriting
 * (issue 18, the members directory at 4.5× its SELECT).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('club_calendar')
    .addColumn('id', 'smallint', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute()
  // any version will do for a history projected before this: processes start with no calendar kept
  await sql`INSERT INTO club_calendar (id, version) VALUES (1, 0)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('club_calendar').execute()
}
