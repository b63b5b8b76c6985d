import { sql } from 'kysely'
import t from 'tap'
import type { ClubEventLifecycle } from '../../../src/domain/club-events/lifecycle'
import { membersFigures } from '../../../src/projections/attendance/attendance-records'
import { openTestDb } from '../../helpers/db'

/**
 * The members' figures (the directory's page, a member's own stats) are
 * counted per member from the held events and the member's own marks; the
 * first definition joined every member of the page to every club event. That
 * definition is the oracle: the same figures on a seeded random history with
 * every edge mixed in (deleted, cancelled, future events; marks on them;
 * marks before joining; an event ending the instant someone joined; members
 * without marks).
 */
const ORACLE = (ids: string[], now: Date) => sql<{ id: string; total: string; attended: string }>`
  SELECT u.id, count(*) AS total, count(a.id) AS attended
    FROM users u
    JOIN club_events e ON e.deleted_at IS NULL
    LEFT JOIN attendance_records a ON a.club_event_id = e.id AND a.user_id = u.id
   WHERE u.id = ANY(${ids}::uuid[])
     AND (a.id IS NOT NULL OR (e.starts_at <= ${now} AND e.lifecycle <> 'cancelled' AND e.ends_at >= u.created_at))
   GROUP BY u.id`

const DAY = 86_400_000
const uuid = (kind: number, i: number) => `00000000-0000-4000-8000-${String(kind * 1e8 + i).padStart(12, '0')}`

for (const kind of ['postgres', 'pglite'] as const)
  t.test(`the figures are the first definition’s, member by member (${kind})`, async (t) => {
    const db = await openTestDb(t, kind)
    const now = new Date()
    let s = 20_261_202
    const next = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31), s / 2 ** 31)
    const joined = Array.from({ length: 80 }, () => new Date(now.getTime() - next() * 300 * DAY))
    await db.kysely
      .insertInto('users')
      .values(
        joined.map((at, i) => ({
          id: uuid(1, i),
          email: `m${i}@example.org`,
          full_name: `Member ${i}`,
          role: 'student',
          status: 'approved',
          created_at: at,
          approved_at: at,
          updated_at: at,
        })),
      )
      .execute()
    const lifecycles: ClubEventLifecycle[] = ['scheduled', 'active', 'completed', 'cancelled']
    const events = Array.from({ length: 60 }, (_, i) => {
      // every tenth ends the instant someone joined; the rest anywhere from 300 days ago to 30 days ahead
      const startsAt =
        i % 10 === 0 ? new Date(joined[i]!.getTime() - 7_200_000) : new Date(now.getTime() + (0.1 - next()) * 300 * DAY)
      return {
        id: uuid(2, i),
        title: `Event ${i}`,
        starts_at: startsAt,
        ends_at: new Date(startsAt.getTime() + 7_200_000),
        lifecycle: lifecycles[Math.floor(next() * 4)]!,
        created_by: uuid(1, 0),
        created_at: now,
        updated_at: now,
        deleted_at: next() < 0.1 ? now : null,
      }
    })
    await db.kysely.insertInto('club_events').values(events).execute()
    const marks = joined.flatMap((_, u) => events.filter(() => next() < 0.3).map((e) => ({ u, e: e.id })))
    await db.kysely
      .insertInto('attendance_records')
      .values(
        marks.map((m, n) => ({
          id: uuid(3, n),
          club_event_id: m.e,
          user_id: uuid(1, m.u),
          qr_session_id: uuid(4, n),
          marked_at: now,
        })),
      )
      .execute()

    const ids = [...joined.map((_, i) => uuid(1, i)), uuid(1, 999)] // and one nobody knows
    const oracle = new Map(
      (await ORACLE(ids, now).execute(db.kysely)).rows.map((r) => [
        r.id,
        { total_events: Number(r.total), attended: Number(r.attended) },
      ]),
    )
    const figures = await membersFigures(db.kysely, ids, now)
    t.same(
      ids.map((id) => [id, figures.get(id)]),
      ids.map((id) => [id, oracle.get(id) ?? { total_events: 0, attended: 0 }]),
      `${ids.length} members, ${events.length} club events, ${marks.length} marks: every figure as the first definition counts it`,
    )
    t.ok(
      [...figures.values()].some((f) => f.total_events > f.attended && f.attended > 0),
      'members who missed some and came to some',
    )
    t.same(await membersFigures(db.kysely, [], now), new Map(), 'no members, no query')
  })

t.test(
  'the calendar is read once per version: kept while club_calendar stands, read again when it moves',
  async (t) => {
    const db = await openTestDb(t)
    const now = new Date()
    const joined = new Date(now.getTime() - 30 * DAY)
    const member = uuid(1, 1)
    await db.kysely
      .insertInto('users')
      .values({
        id: member,
        email: 'kept@example.org',
        full_name: 'Kept',
        role: 'student',
        status: 'approved',
        created_at: joined,
        approved_at: joined,
        updated_at: joined,
      })
      .execute()
    const event = (i: number, startsAt: Date) => ({
      id: uuid(2, i),
      title: `Event ${i}`,
      starts_at: startsAt,
      ends_at: new Date(startsAt.getTime() + 7_200_000),
      lifecycle: 'scheduled' as const,
      created_by: member,
      created_at: now,
      updated_at: now,
    })
    await db.kysely
      .insertInto('club_events')
      .values([event(1, new Date(now.getTime() - 2 * DAY)), event(2, new Date(now.getTime() + 2 * DAY))])
      .execute()
    const figures = async () => (await membersFigures(db.kysely, [member], now)).get(member)
    t.same(await figures(), { total_events: 1, attended: 0 }, 'one event held since joining, one to come')

    // rows written behind the projection's back, the version unmoved: the kept calendar answers
    await db.kysely
      .updateTable('club_events')
      .set({ starts_at: new Date(now.getTime() - DAY), ends_at: new Date(now.getTime() - DAY + 7_200_000) })
      .where('id', '=', uuid(2, 2))
      .execute()
    t.same(await figures(), { total_events: 1, attended: 0 }, 'the kept calendar, while the version stands')

    await sql`UPDATE club_calendar SET version = version + 1`.execute(db.kysely)
    t.same(await figures(), { total_events: 2, attended: 0 }, 'read again once it moves')

    // a mark moves no version: it is counted from the member's own rows
    await db.kysely
      .insertInto('attendance_records')
      .values({ id: uuid(3, 1), club_event_id: uuid(2, 1), user_id: member, qr_session_id: uuid(4, 1), marked_at: now })
      .execute()
    t.same(await figures(), { total_events: 2, attended: 1 }, 'a new mark counts at once')

    await sql`DELETE FROM club_calendar`.execute(db.kysely)
    await db.kysely.updateTable('club_events').set({ lifecycle: 'cancelled' }).where('id', '=', uuid(2, 2)).execute()
    t.same(
      await figures(),
      { total_events: 1, attended: 1 },
      'no version (a build before its first club event): read every time',
    )
  },
)
