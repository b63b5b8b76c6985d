import { type Kysely, sql } from 'kysely'

/**
 * A member's profile on their users row (section, branch, year, bio, skills),
 * and the directory's order: newest member first, by when they were approved.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('section', 'text')
    .addColumn('branch', 'text')
    .addColumn('year', 'text')
    .addColumn('bio', 'text')
    .addColumn('skills', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute()
  await db.schema.createIndex('users_directory').on('users').columns(['approved_at', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_directory').execute()
  await db.schema
    .alterTable('users')
    .dropColumn('section')
    .dropColumn('branch')
    .dropColumn('year')
    .dropColumn('bio')
    .dropColumn('skills')
    .execute()
}
