import type { Kysely } from 'kysely'

/**
 * A club event's description and its lifecycle status (scheduled, active,
 * completed, cancelled; domain/club-events/lifecycle.ts), every existing row
 * `scheduled` as its stream says. And the notifications consumer's list of who
 * marked attendance at which club event, so a cancellation tells them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('club_events')
    .addColumn('description', 'text')
    .addColumn('lifecycle', 'text', (c) => c.notNull().defaultTo('scheduled'))
    .execute()
  await db.schema
    .createTable('notification_attendees')
    .addColumn('club_event_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_attendees_pkey', ['club_event_id', 'user_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_attendees').execute()
  await db.schema.alterTable('club_events').dropColumn('lifecycle').dropColumn('description').execute()
}
