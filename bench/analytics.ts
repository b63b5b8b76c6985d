import { sql } from 'kysely'
import { openDb } from '../src/db/connection'
import { migrateEventStore, migrateReadModel } from '../src/db/migrate'
import { analyticsSummary } from '../src/projections/analytics/summary'
import { topMembersByRate } from '../src/projections/analytics/top-members'
import { fmt, medianMs, numberArg, printTable, withBenchDatabase } from './lib'

/**
 * `npm run bench:analytics`: the admin's analytics summary on a campus's
 * history, written straight into the read tables (users, club events, marks,
 * and member_marks as its projection would keep it). Beside it, from the same
 * run: the one pass over the marks that counting every member's marks makes
 * (a plain grouped SELECT); the per-member view's top 500 beside the
 * summary's ranking, which reads only some members' marks; and the first
 * definition of the per-member view (a subquery per member × event), timed on
 * a sample of members and scaled to all of them, since on the whole history
 * it runs for minutes.
 *
 * Sizes: --members / --events / --per-event N (defaults 100,000 / 2,000 /
 * 500: about 1,000,000 marks over three years).
 */
const MEMBERS = numberArg('members', 100_000)
const EVENTS = numberArg('events', 2_000)
const PER_EVENT = numberArg('per-event', 500)
const SPAN_S = 3 * 365 * 86_400

/** the per-member view as migration 0006 defined it, for a slice of members */
const firstDefinition = (emails: string) => sql`
  SELECT u.id,
         (SELECT count(*) FROM attendance_records a WHERE a.user_id = u.id) AS attended,
         (SELECT count(*) FROM club_events e
           WHERE e.deleted_at IS NULL AND e.starts_at >= u.approved_at AND e.starts_at <= now()) AS held,
         (SELECT count(*) FROM attendance_records a JOIN club_events e ON e.id = a.club_event_id
           WHERE a.user_id = u.id AND e.deleted_at IS NULL AND e.starts_at >= u.approved_at AND e.starts_at <= now()) AS n
  FROM users u WHERE u.status = 'approved' AND u.email LIKE ${emails}`

async function benchAnalytics(url: string): Promise<void> {
  const db = await openDb({ databaseUrl: url, dataDir: '', poolSize: 10 })
  try {
    await migrateEventStore(db.kysely)
    await migrateReadModel(db.kysely)
    const start = performance.now()
    // members approved evenly over three years up to now, club events likewise; each event's marks by members who had joined
    await sql`
      INSERT INTO users (id, email, full_name, role, status, created_at, approved_at, updated_at)
      SELECT md5('u' || i)::uuid, 'm' || i || '@example.org', 'Member ' || i, 'student', 'approved', at, at, at
      FROM (SELECT i, now() - make_interval(secs => ${SPAN_S} * (1 - i::float8 / ${MEMBERS})) AS at
            FROM generate_series(1, ${MEMBERS}) i) s`.execute(db.kysely)
    await sql`
      INSERT INTO club_events (id, title, starts_at, ends_at, created_by, created_at, updated_at, deleted_at, attendance_count)
      SELECT md5('e' || j)::uuid, 'Event ' || j, at, at + interval '2 hours', md5('u1')::uuid, at, at,
             CASE WHEN j % 97 = 0 THEN at END, 0
      FROM (SELECT j, now() - make_interval(secs => ${SPAN_S} * (1 - j::float8 / ${EVENTS}) - 3600) AS at
            FROM generate_series(1, ${EVENTS}) j) s`.execute(db.kysely)
    await sql`
      INSERT INTO attendance_records (id, club_event_id, user_id, qr_session_id, marked_at)
      SELECT md5('a' || j || '-' || k)::uuid, md5('e' || j)::uuid,
             md5('u' || (1 + (j * 7919 + k * 104729) % greatest(j * ${MEMBERS} / ${EVENTS}, 1)))::uuid,
             md5('q' || j)::uuid, e.starts_at + make_interval(secs => k)
      FROM generate_series(1, ${EVENTS}) j
      JOIN club_events e ON e.id = md5('e' || j)::uuid
      CROSS JOIN generate_series(1, ${PER_EVENT}) k
      ON CONFLICT DO NOTHING`.execute(db.kysely)
    // what the attendance projection keeps beside the marks
    await sql`INSERT INTO member_marks (user_id, marks)
              SELECT user_id, count(*) FROM attendance_records GROUP BY user_id`.execute(db.kysely)
    await sql`ANALYZE`.execute(db.kysely)
    const marks = Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM attendance_records`.execute(db.kysely)).rows[0]!.n,
    )
    console.log(
      `history: ${fmt(MEMBERS)} members, ${fmt(EVENTS)} club events, ${fmt(marks)} marks, written in ${fmt((performance.now() - start) / 1000, 1)} s`,
    )

    const to = new Date().toISOString().slice(0, 10)
    const from = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10)
    const summary = await medianMs(5, () => analyticsSummary(db.kysely, { from, to }))
    const perMember = await medianMs(5, () =>
      sql`SELECT * FROM analytics.attendance_per_member ORDER BY attendance_rate DESC NULLS LAST, email LIMIT 500`.execute(
        db.kysely,
      ),
    )
    const ranked = await medianMs(5, () => topMembersByRate(db.kysely, 500))
    const perDay = await medianMs(5, () =>
      sql`SELECT * FROM analytics.attendance_per_day WHERE day BETWEEN ${from}::date AND ${to}::date`.execute(
        db.kysely,
      ),
    )
    const plainPass = await medianMs(5, () =>
      sql`SELECT user_id, count(*) FROM attendance_records GROUP BY user_id`.execute(db.kysely),
    )
    // the emails m1000@ … m1999@ (or fewer on a small history): members of every age
    const sampleSize = Number(
      (
        await sql<{ n: string }>`SELECT count(*) AS n FROM users WHERE email LIKE 'm1___@example.org'`.execute(
          db.kysely,
        )
      ).rows[0]!.n,
    )
    const sample = await medianMs(1, () => firstDefinition('m1___@example.org').execute(db.kysely))
    const firstWhole = (sample / Math.max(sampleSize, 1)) * MEMBERS

    printTable(`analytics on ${fmt(MEMBERS)} members, ${fmt(EVENTS)} club events, ${fmt(marks)} marks (median of 5)`, [
      {
        what: 'GET /api/admin/analytics/summary (its queries)',
        value: `${fmt(summary)} ms`,
        baseline: `one grouped pass over the marks ${fmt(plainPass)} ms`,
        ratio: `${fmt(summary / plainPass, 1)}×`,
        target: '< 500 ms',
        verdict: summary < 500 ? 'yes' : 'no',
      },
      {
        what: 'attendance_per_member, top 500 by rate',
        value: `${fmt(perMember)} ms`,
        baseline: `first definition ~${fmt(firstWhole / 1000, 1)} s (${fmt(sample)} ms for ${fmt(sampleSize)} of ${fmt(MEMBERS)} members, scaled)`,
        ratio: `${fmt(firstWhole / perMember)}× faster`,
      },
      {
        what: 'the summary’s top 500 members by rate (bounds, then 600 members’ marks)',
        value: `${fmt(ranked)} ms`,
        baseline: `the view's top 500 ${fmt(perMember)} ms`,
        ratio: `${fmt(perMember / ranked, 1)}× faster`,
      },
      {
        what: 'attendance_per_day, the last 30 days',
        value: `${fmt(perDay, 1)} ms`,
      },
    ])
  } finally {
    await db.close()
  }
}

withBenchDatabase(benchAnalytics).catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
