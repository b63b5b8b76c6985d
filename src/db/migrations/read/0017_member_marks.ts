import { type Kysely, sql } from 'kysely'

/**
 * member_marks: how many marks each member has made, kept by its projection
 * (projections/attendance/member-marks.ts). The analytics summary ranks
 * 100,000 members by attendance rate; counting every member's marks for it
 * read all 1,000,000 of them (about a second at a campus's size, issue 18).
 *
 * Filled here from the marks attendance_records holds, and its checkpoint set
 * to where that projection stands, so its runner takes over from there rather
 * than counting the same marks again. The checkpoint row is locked first: a
 * running attendance batch commits before the count, and the next waits
 * until this transaction ends (the runner's compare-and-set updates that row
 * first).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('member_marks')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .addColumn('marks', 'integer', (c) => c.notNull())
    .execute()
  const { rows } = await sql<{ position: string }>`
    SELECT position FROM projection_checkpoints WHERE name = 'attendance_records' FOR SHARE`.execute(db)
  if (rows.length === 0) return // nothing projected yet: the runner starts from the beginning
  await sql`INSERT INTO member_marks (user_id, marks)
            SELECT user_id, count(*) FROM attendance_records GROUP BY user_id`.execute(db)
  await sql`INSERT INTO projection_checkpoints (name, position) VALUES ('member_marks', ${rows[0]!.position})
            ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('member_marks').execute()
  await sql`DELETE FROM projection_checkpoints WHERE name = 'member_marks'`.execute(db)
}
