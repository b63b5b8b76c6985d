import { heldBy } from '../club-events/club-events'
import { countApprovalRequests } from '../identity/approval-requests'
import { memberCounts } from '../identity/members'
import type { Executor } from '../projection'
import { countLiveQrSessions } from '../qr/qr-sessions'

/**
 * The admin dashboard's counters, each from its read model: a few grouped
 * counts over small tables (users, pending requests, club events, live codes),
 * and attendance from the club events' own per-event counters rather than a
 * count of every mark.
 */
export async function adminCounters(db: Executor, now: Date) {
  const [members, pending, events, live] = await Promise.all([
    memberCounts(db),
    countApprovalRequests(db, 'pending', now),
    clubEventCounters(db, now),
    countLiveQrSessions(db, now),
  ])
  return {
    users: { ...members, pending_approvals: pending },
    events: { total: events.total, upcoming: events.upcoming, past: events.past },
    attendance: {
      total_records: events.marks,
      // the mean share of active students at each event held so far
      average_attendance_rate:
        members.students === 0 || events.held === 0
          ? 0
          : Math.round((events.held_marks / events.held / members.students) * 1000) / 10,
    },
    qr: { live_sessions: live },
  }
}

async function clubEventCounters(db: Executor, now: Date) {
  const row = await db
    .selectFrom('club_events')
    .select((eb) => {
      const held = heldBy(now)
      return [
        eb.fn.countAll<string>().as('total'),
        eb.fn.countAll<string>().filterWhere('starts_at', '>', now).as('upcoming'),
        eb.fn.countAll<string>().filterWhere(held).as('held'),
        eb.fn.coalesce(eb.fn.sum<string>('attendance_count'), eb.lit(0)).as('marks'),
        eb.fn.coalesce(eb.fn.sum<string>('attendance_count').filterWhere(held), eb.lit(0)).as('held_marks'),
      ]
    })
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow()
  const [total, upcoming, held, marks, heldMarks] = [row.total, row.upcoming, row.held, row.marks, row.held_marks].map(
    Number,
  ) as [number, number, number, number, number]
  return { total, upcoming, past: total - upcoming, held, marks, held_marks: heldMarks }
}
