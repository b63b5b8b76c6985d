import { sql } from 'kysely'
import type { Executor } from '../projection'
import { topMembersByRate } from './top-members'

/**
 * The analytics views (docs/analytics.md) as one summary for the admin
 * dashboard. The views are built over the read tables, so they need no
 * projection of their own; the members' ranking reads the view's rows
 * without counting every member's marks (top-members.ts).
 */
export interface SummaryRange {
  /** first day, YYYY-MM-DD (UTC) */
  from: string
  /** last day, inclusive */
  to: string
}

/** A date column: node-postgres reads it as a Date at local midnight, PGlite as text. */
const isoDay = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10))

export async function analyticsSummary(db: Executor, range: SummaryRange) {
  const from = sql`${range.from}::date`
  const to = sql`${range.to}::date`
  const [events, members, perDay, signups, decisions] = await Promise.all([
    db
      .selectFrom('analytics.attendance_per_event')
      .select(['club_event_id', 'title', 'starts_at', 'attendance_count'])
      .where(sql<boolean>`(starts_at AT TIME ZONE 'UTC')::date BETWEEN ${from} AND ${to}`)
      .orderBy('starts_at', 'desc')
      .limit(500)
      .execute(),
    topMembersByRate(db, 500),
    db
      .selectFrom('analytics.attendance_per_day')
      .select(['day', 'marks', 'members'])
      .where(sql<boolean>`day BETWEEN ${from} AND ${to}`)
      .orderBy('day')
      .execute(),
    db
      .selectFrom('analytics.signups_per_day')
      .select(['day', 'signups'])
      .where(sql<boolean>`day BETWEEN ${from} AND ${to}`)
      .orderBy('day')
      .execute(),
    db
      .selectFrom('analytics.decisions_per_day')
      .select(['day', 'approved', 'rejected', 'expired'])
      .where(sql<boolean>`day BETWEEN ${from} AND ${to}`)
      .orderBy('day')
      .execute(),
  ])
  return {
    from: range.from,
    to: range.to,
    per_event: events.map((r) => ({ ...r, starts_at: new Date(r.starts_at).toISOString() })),
    per_member: members.map((r) => ({
      ...r,
      attendance_rate: r.attendance_rate === null ? null : Number(r.attendance_rate),
    })),
    attendance_per_day: perDay.map((r) => ({ ...r, day: isoDay(r.day) })),
    signups_per_day: signups.map((r) => ({ ...r, day: isoDay(r.day) })),
    decisions_per_day: decisions.map((r) => ({ ...r, day: isoDay(r.day) })),
  }
}
