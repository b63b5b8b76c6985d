import { type Kysely, sql } from 'kysely'

/**
 * member_marks: how many marks each member has made, kept by the attendance
 * projection in the transaction that writes the marks, so it always equals
 * their count in attendance_records. The analytics summary ranks 100,000
 * members by attendance rate; counting every member's marks for it read all
 * 1,000,000 of them (about a second at a campus's size, issue 18). Filled here
 * from the marks as they stand.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('member_marks')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .addColumn('marks', 'integer', (c) => c.notNull())
    .execute()
  await sql`INSERT INTO member_marks (user_id, marks)
            SELECT user_id, count(*) FROM attendance_records GROUP BY user_id`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('member_marks').execute()
}
