import { sql } from 'kysely'
import { countAtOrAfter } from '../club-events/club-events'
import type { Executor } from '../projection'

/** A member as analytics.attendance_per_member has them (rate as the view rounds it, numeric text). */
export interface MemberRate {
  user_id: string
  email: string
  full_name: string
  events_attended: number
  events_held_since_joined: number
  attendance_rate: string | null
}

/**
 * The first `limit` rows of analytics.attendance_per_member by attendance
 * rate (highest first, then email), without reading every member's marks.
 *
 * The view counts, for each of a campus's 100,000 members, their marks at the
 * club events held since they joined: a pass over all 1,000,000 marks (about a
 * second, issue 18). Here each member gets an upper bound instead, from what
 * is kept: marks are at distinct club events, so the marks that count are at
 * most all their marks (member_marks) and at most the events held since they
 * joined. Only the members first by that bound have their marks read. Once
 * the best bound left out cannot reach the last row taken (nor tie it with an
 * earlier email), no member left out could be in the answer; otherwise the
 * candidates grow fourfold and it tries again. Nearly every member's bound is
 * their rate (the marks that do not count are marks at deleted or not yet
 * started events, or at events begun before they joined), so the first try
 * usually settles it.
 */
export async function topMembersByRate(
  db: Executor,
  limit: number,
  /** candidates in the first try; tests set it low to make it grow */
  firstTry = Math.ceil(limit * 1.2),
): Promise<MemberRate[]> {
  for (let candidates = Math.max(firstTry, limit); ; candidates *= 4) {
    const { rows } = await ranked(limit, candidates).execute(db)
    const taken = rows.filter((r) => !r.edge)
    const edge = rows.find((r) => r.edge)
    // settled: nobody was left out, or the best left out ranks below the last taken even at its bound
    if (!edge || (taken.length === limit && edge.outranked === true))
      return taken.map((r) => ({
        user_id: r.user_id,
        email: r.email,
        full_name: r.full_name,
        events_attended: Number(r.events_attended),
        events_held_since_joined: Number(r.events_held_since_joined),
        attendance_rate: r.attendance_rate,
      }))
  }
}

interface Ranked extends MemberRate {
  /** the best-bounded member left out (at most one row) */
  edge: boolean
  /** on the edge row: whether the last row taken ranks above it even at its bound */
  outranked: boolean | null
}

/**
 * One try: every approved member's bound (the held events since their
 * approval, found by a binary search in the held events' start times, and
 * member_marks), the first `candidates` by bound with their
 * exact rate, the first `limit` of those by rate, and the member just past the
 * candidates with whether the last of those ranks above it even at its bound
 * (compared in SQL, so emails order as the view orders them).
 */
function ranked(limit: number, candidates: number) {
  return sql<Ranked>`
    WITH starts AS (
      SELECT coalesce(array_agg(starts_at ORDER BY starts_at), '{}') AS at
      FROM club_events WHERE deleted_at IS NULL AND starts_at <= now()
    ),
    bounded AS (
      SELECT u.id, u.email, u.full_name, u.approved_at, h.held, coalesce(mm.marks, 0) AS attended,
             CASE WHEN h.held = 0 THEN NULL ELSE round(least(coalesce(mm.marks, 0), h.held)::numeric / h.held, 4) END
               AS bound
      FROM users u
      -- the held events that started at or after the approval
      CROSS JOIN LATERAL (SELECT ${countAtOrAfter('s.at', 'u.approved_at')} AS held FROM starts s) h
      LEFT JOIN member_marks mm ON mm.user_id = u.id
      WHERE u.status = 'approved'
    ),
    first AS (
      SELECT *, row_number() OVER (ORDER BY bound DESC NULLS LAST, email) AS n
      FROM (SELECT * FROM bounded ORDER BY bound DESC NULLS LAST, email LIMIT ${candidates + 1}) b
    ),
    counted AS (
      SELECT c.id, count(*) AS counted
      FROM first c
      JOIN attendance_records a ON a.user_id = c.id
      JOIN club_events e ON e.id = a.club_event_id
      WHERE c.n <= ${candidates} AND e.deleted_at IS NULL AND e.starts_at <= now() AND e.starts_at >= c.approved_at
      GROUP BY c.id
    ),
    exact AS (
      SELECT c.id AS user_id, c.email, c.full_name, c.attended AS events_attended, c.held AS events_held_since_joined,
             CASE WHEN c.held = 0 THEN NULL ELSE round(coalesce(m.counted, 0)::numeric / c.held, 4) END AS attendance_rate
      FROM first c LEFT JOIN counted m ON m.id = c.id
      WHERE c.n <= ${candidates}
    ),
    taken AS (
      SELECT *, row_number() OVER (ORDER BY attendance_rate DESC NULLS LAST, email) AS place
      FROM exact ORDER BY place LIMIT ${limit}
    ),
    last AS (SELECT * FROM taken ORDER BY place DESC LIMIT 1)
    SELECT user_id, email, full_name, events_attended, events_held_since_joined, attendance_rate,
           false AS edge, NULL::boolean AS outranked, place
    FROM taken
    UNION ALL
    SELECT f.id, f.email, f.full_name, f.attended, f.held, f.bound, true,
           -- the last taken ranks above the edge's bound: a higher rate, or the same (NULL alike) and an earlier email
           coalesce(l.attendance_rate > f.bound, l.attendance_rate IS NOT NULL AND f.bound IS NULL, false)
             OR (l.attendance_rate IS NOT DISTINCT FROM f.bound AND l.email < f.email),
           f.n
    FROM first f LEFT JOIN last l ON true
    WHERE f.n = ${candidates + 1}
    ORDER BY edge, place`
}
