import { type Kysely, sql } from 'kysely'
import { up as analyticsViews } from './0006_analytics'

/**
 * The analytics views at a campus's size (issue 18: 100,000 members, 2,000
 * club events, 1,000,000 marks). Same columns, same values.
 *
 * attendance_per_member counted, per member, the club events held since they
 * joined and their marks with correlated subqueries: members × events rows
 * (462 s for one summary). Now each count is one pass: the held events and the
 * members' approvals on one time line, newest first, where the events before a
 * member are the ones held since they joined; and the marks grouped once.
 * On a tie an event comes before the member (`>=`, as before).
 *
 * The per-day views filter by day (the summary's range): an index on each
 * day expression lets that filter reach the table instead of grouping every row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE OR REPLACE VIEW analytics.attendance_per_member AS
    SELECT u.id AS user_id, u.email, u.full_name, u.approved_at,
           coalesce(marks.attended, 0)::int AS events_attended,
           since.held::int AS events_held_since_joined,
           CASE WHEN since.held = 0 THEN NULL
                ELSE round(coalesce(marks.attended_held, 0)::numeric / since.held, 4)
           END AS attendance_rate
    FROM public.users u
    JOIN (
      SELECT user_id, held FROM (
        SELECT user_id,
               count(*) FILTER (WHERE user_id IS NULL)
                 OVER (ORDER BY at DESC NULLS LAST, user_id NULLS FIRST ROWS UNBOUNDED PRECEDING) AS held
        FROM (SELECT NULL::uuid AS user_id, starts_at AS at FROM public.club_events
               WHERE deleted_at IS NULL AND starts_at <= now()
              UNION ALL
              SELECT id, approved_at FROM public.users WHERE status = 'approved') line
      ) counted
      WHERE user_id IS NOT NULL
    ) since ON since.user_id = u.id
    LEFT JOIN (
      SELECT a.user_id, count(*) AS attended,
             count(*) FILTER (WHERE e.deleted_at IS NULL AND e.starts_at <= now() AND e.starts_at >= m.approved_at)
               AS attended_held
      FROM public.attendance_records a
      JOIN public.users m ON m.id = a.user_id
      LEFT JOIN public.club_events e ON e.id = a.club_event_id
      GROUP BY a.user_id
    ) marks ON marks.user_id = u.id
    WHERE u.status = 'approved'`.execute(db)
  await sql`CREATE INDEX attendance_by_day ON attendance_records (((marked_at AT TIME ZONE 'UTC')::date))`.execute(db)
  await sql`CREATE INDEX approval_requests_by_day ON approval_requests (((requested_at AT TIME ZONE 'UTC')::date))`.execute(
    db,
  )
  await sql`CREATE INDEX approval_requests_by_decision_day ON approval_requests (((decided_at AT TIME ZONE 'UTC')::date))
            WHERE decided_at IS NOT NULL`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX approval_requests_by_decision_day`.execute(db)
  await sql`DROP INDEX approval_requests_by_day`.execute(db)
  await sql`DROP INDEX attendance_by_day`.execute(db)
  await analyticsViews(db) // the views as 0006 made them
}
