import { type Kysely, sql } from 'kysely'

/**
 * The `analytics` schema: stable, documented views over the projections for
 * BI tools (docs/analytics.md). Columns are only ever added, never renamed.
 * CREATE OR REPLACE keeps this idempotent when the read model is migrated into
 * a second schema (replay): the views always describe the live tables.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS analytics`.execute(db)
  await sql`
    CREATE OR REPLACE VIEW analytics.attendance_per_event AS
    SELECT e.id AS club_event_id, e.title, e.starts_at, e.ends_at, e.created_by,
           count(a.id)::int AS attendance_count
    FROM public.club_events e
    LEFT JOIN public.attendance_records a ON a.club_event_id = e.id
    WHERE e.deleted_at IS NULL
    GROUP BY e.id`.execute(db)
  // a member's rate counts only the club events held since they were approved
  await sql`
    CREATE OR REPLACE VIEW analytics.attendance_per_member AS
    SELECT u.id AS user_id, u.email, u.full_name, u.approved_at,
           (SELECT count(*) FROM public.attendance_records a WHERE a.user_id = u.id)::int AS events_attended,
           (SELECT count(*) FROM public.club_events e
             WHERE e.deleted_at IS NULL AND e.starts_at >= u.approved_at AND e.starts_at <= now())::int AS events_held_since_joined,
           CASE WHEN (SELECT count(*) FROM public.club_events e
                       WHERE e.deleted_at IS NULL AND e.starts_at >= u.approved_at AND e.starts_at <= now()) = 0 THEN NULL
                ELSE round((SELECT count(*) FROM public.attendance_records a JOIN public.club_events e ON e.id = a.club_event_id
                             WHERE a.user_id = u.id AND e.deleted_at IS NULL AND e.starts_at >= u.approved_at AND e.starts_at <= now())::numeric
                           / (SELECT count(*) FROM public.club_events e
                               WHERE e.deleted_at IS NULL AND e.starts_at >= u.approved_at AND e.starts_at <= now()), 4)
           END AS attendance_rate
    FROM public.users u
    WHERE u.status = 'approved'`.execute(db)
  await sql`
    CREATE OR REPLACE VIEW analytics.attendance_per_day AS
    SELECT (marked_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS marks, count(DISTINCT user_id)::int AS members
    FROM public.attendance_records GROUP BY 1`.execute(db)
  await sql`
    CREATE OR REPLACE VIEW analytics.signups_per_day AS
    SELECT (requested_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS signups
    FROM public.approval_requests GROUP BY 1`.execute(db)
  await sql`
    CREATE OR REPLACE VIEW analytics.decisions_per_day AS
    SELECT (decided_at AT TIME ZONE 'UTC')::date AS day,
           count(*) FILTER (WHERE status = 'approved')::int AS approved,
           count(*) FILTER (WHERE status = 'rejected')::int AS rejected,
           count(*) FILTER (WHERE status = 'expired')::int AS expired
    FROM public.approval_requests WHERE decided_at IS NOT NULL GROUP BY 1`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS analytics CASCADE`.execute(db)
}
