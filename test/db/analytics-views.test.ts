import { sql } from 'kysely'
import t, { type Test } from 'tap'
import type { UserStatus } from '../../src/db/database'
import { down, up } from '../../src/db/migrations/read/0014_analytics_at_scale'
import { down as memberMarksDown, up as memberMarksUp } from '../../src/db/migrations/read/0017_member_marks'
import { topMembersByRate } from '../../src/projections/analytics/top-members'
import { type DbKind, openTestDb } from '../helpers/db'

/**
 * analytics.attendance_per_member, rewritten for a campus's size (one pass
 * over members and events instead of a subquery per member × event), gives
 * the rows its first definition gave: that definition is the oracle here, on
 * the edges (a tie with the approval, an event begun before it, a deleted or
 * future event, a member without marks, a pending account) and on a random
 * history.
 */
const ORACLE = sql`
  SELECT u.id AS user_id, u.email, u.full_name, u.approved_at,
         (SELECT count(*) FROM attendance_records a WHERE a.user_id = u.id)::int AS events_attended,
         (SELECT count(*) FROM club_events e
           WHERE e.deleted_at IS NULL AND e.starts_at >= u.approved_at AND e.starts_at <= now())::int AS events_held_since_joined,
         CASE WHEN (SELECT count(*) FROM club_events e
                     WHERE e.deleted_at IS NULL AND e.starts_at >= u.approved_at AND e.starts_at <= now()) = 0 THEN NULL
              ELSE round((SELECT count(*) FROM attendance_records a JOIN club_events e ON e.id = a.club_event_id
                           WHERE a.user_id = u.id AND e.deleted_at IS NULL AND e.starts_at >= u.approved_at
                             AND e.starts_at <= now())::numeric
                         / (SELECT count(*) FROM club_events e
                             WHERE e.deleted_at IS NULL AND e.starts_at >= u.approved_at AND e.starts_at <= now()), 4)
         END AS attendance_rate
  FROM users u WHERE u.status = 'approved'`

const DAY = 86_400_000
const uuid = (kind: number, i: number) => `00000000-0000-4000-8000-${String(kind * 1e8 + i).padStart(12, '0')}`

interface History {
  users: { i: number; status: UserStatus; approvedAt: Date | null }[]
  events: { i: number; startsAt: Date; deleted: boolean }[]
  marks: { user: number; event: number }[]
}

async function load(kind: DbKind, h: History) {
  const db = await openTestDb(t, kind)
  const now = new Date()
  // one statement a table: the history is the point, not its writing
  await db.kysely
    .insertInto('users')
    .values(
      h.users.map((u) => ({
        id: uuid(1, u.i),
        email: `m${u.i}@example.org`,
        full_name: `Member ${u.i}`,
        role: 'student',
        status: u.status,
        created_at: now,
        approved_at: u.approvedAt,
        updated_at: now,
      })),
    )
    .execute()
  await db.kysely
    .insertInto('club_events')
    .values(
      h.events.map((e) => ({
        id: uuid(2, e.i),
        title: `Event ${e.i}`,
        starts_at: e.startsAt,
        ends_at: new Date(e.startsAt.getTime() + 7_200_000),
        created_by: uuid(1, 0),
        created_at: now,
        updated_at: now,
        deleted_at: e.deleted ? now : null,
      })),
    )
    .execute()
  await db.kysely
    .insertInto('attendance_records')
    .values(
      h.marks.map((m, n) => ({
        id: uuid(3, n),
        club_event_id: uuid(2, m.event),
        user_id: uuid(1, m.user),
        qr_session_id: uuid(4, m.event),
        marked_at: now,
      })),
    )
    .execute()
  return db
}

async function compare(kind: DbKind, h: History, t: Test) {
  const db = await load(kind, h)
  const order = sql`ORDER BY user_id`
  const view = (
    await sql<Record<string, unknown>>`SELECT * FROM analytics.attendance_per_member ${order}`.execute(db.kysely)
  ).rows
  const oracle = (await sql<Record<string, unknown>>`SELECT * FROM (${ORACLE}) o ${order}`.execute(db.kysely)).rows
  t.same(view, oracle, `${view.length} members as the first definition counts them`)
  return { db, view }
}

const now = Date.now()
const edges: History = {
  users: [
    { i: 1, status: 'approved', approvedAt: new Date(now - 10 * DAY) },
    { i: 2, status: 'approved', approvedAt: new Date(now - 5 * DAY) },
    { i: 3, status: 'approved', approvedAt: new Date(now - 1 * DAY) }, // no marks
    { i: 4, status: 'pending', approvedAt: null },
    { i: 5, status: 'approved', approvedAt: new Date(now + DAY) }, // approved "tomorrow": nothing held yet
  ],
  events: [
    { i: 1, startsAt: new Date(now - 20 * DAY), deleted: false }, // before everyone
    { i: 2, startsAt: new Date(now - 5 * DAY), deleted: false }, // the instant member 2 joined: counts
    { i: 3, startsAt: new Date(now - 3 * DAY), deleted: true },
    { i: 4, startsAt: new Date(now - 2 * DAY), deleted: false },
    { i: 5, startsAt: new Date(now + 2 * DAY), deleted: false }, // not held yet
  ],
  marks: [
    { user: 1, event: 1 }, // begun before they joined: attended, not in the rate
    { user: 1, event: 2 },
    { user: 1, event: 3 },
    { user: 1, event: 5 },
    { user: 2, event: 2 },
    { user: 2, event: 4 },
    { user: 4, event: 4 },
  ],
}

/** a seeded pseudo-random history: the same on every run */
function random(seed: number): History {
  let s = seed
  const next = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31), s / 2 ** 31)
  const users = Array.from({ length: 120 }, (_, i) => {
    const approved = next() < 0.85
    return {
      i,
      status: (approved ? 'approved' : 'pending') as UserStatus,
      approvedAt: approved ? new Date(now - next() * 400 * DAY) : null,
    }
  })
  const events = Array.from({ length: 30 }, (_, i) => ({
    i,
    // every tenth at exactly someone's approval
    startsAt: i % 10 === 0 ? (users[i]!.approvedAt ?? new Date(now)) : new Date(now + (0.1 - next()) * 400 * DAY),
    deleted: next() < 0.1,
  }))
  const marks = users.flatMap((u) => events.filter(() => next() < 0.3).map((e) => ({ user: u.i, event: e.i })))
  return { users, events, marks }
}

for (const kind of ['postgres', 'pglite'] as const) {
  t.test(`${kind}: the edges`, async (t) => {
    const { view } = await compare(kind, edges, t)
    const byEmail = Object.fromEntries(view.map((r) => [r.email, r]))
    t.match(byEmail['m1@example.org'], { events_attended: 4, events_held_since_joined: 2, attendance_rate: '0.5000' })
    t.match(byEmail['m2@example.org'], { events_attended: 2, events_held_since_joined: 2, attendance_rate: '1.0000' })
    t.match(byEmail['m3@example.org'], { events_attended: 0, events_held_since_joined: 0, attendance_rate: null })
    t.notOk(byEmail['m4@example.org'], 'a pending account is no member')
  })
}

// on PostgreSQL only: PGlite runs the same SQL, and its start costs more than the edges teach twice
t.test('postgres: a random history', async (t) => {
  await compare('postgres', random(7), t)
})

t.test('the migration goes down to the first views and up again', async (t) => {
  const db = await load('postgres', edges)
  const rows = async () =>
    (await sql`SELECT * FROM analytics.attendance_per_member ORDER BY user_id`.execute(db.kysely)).rows
  const before = await rows()
  await down(db.kysely)
  t.same(await rows(), before, 'the first definition: the same rows')
  await up(db.kysely)
  t.same(await rows(), before)
})

/**
 * The summary's ranking of members (topMembersByRate) reads only the members
 * first by an upper bound of their rate: it gives the view's first rows, in
 * the view's order, whatever the candidates it starts with (a first try of
 * one grows until it is sure), on the edges and on random histories full of
 * ties, with member_marks as the attendance projection keeps it.
 */
t.test('postgres: the ranking of members is the view’s, from any first try', async (t) => {
  const histories: [string, History][] = [
    ['the edges', edges],
    ...[7, 8, 9].map((seed): [string, History] => [`random ${seed}`, random(seed)]),
  ]
  for (const [name, h] of histories) {
    const db = await load('postgres', h)
    await sql`INSERT INTO member_marks (user_id, marks)
              SELECT user_id, count(*) FROM attendance_records GROUP BY user_id`.execute(db.kysely)
    for (const limit of [1, 5, 20, 200]) {
      const view = (
        await sql<Record<string, unknown>>`
          SELECT user_id, email, full_name, events_attended, events_held_since_joined, attendance_rate
          FROM analytics.attendance_per_member ORDER BY attendance_rate DESC NULLS LAST, email LIMIT ${limit}`.execute(
          db.kysely,
        )
      ).rows
      for (const firstTry of [1, limit, 1000]) {
        const ours = await topMembersByRate(db.kysely, limit, firstTry)
        if (!t.same(ours, view, `${name}: the first ${limit}, first try ${firstTry}`)) return
      }
    }
  }
})

t.test('migration 0017 counts each member’s marks as attendance_records stands, and hands over there', async (t) => {
  const db = await load('postgres', random(11))
  const checkpoints = async () =>
    (await sql`SELECT name, position FROM projection_checkpoints ORDER BY name`.execute(db.kysely)).rows
  const counted = async () =>
    (await sql`SELECT user_id, marks FROM member_marks ORDER BY user_id`.execute(db.kysely)).rows
  const expected = (
    await sql`SELECT user_id, count(*)::int AS marks FROM attendance_records GROUP BY user_id ORDER BY user_id`.execute(
      db.kysely,
    )
  ).rows
  t.ok(expected.length > 50, `${expected.length} members with marks`)

  await memberMarksDown(db.kysely)
  await memberMarksUp(db.kysely)
  t.same(await counted(), [], 'attendance_records never ran: nothing counted, its runner starts from the beginning')
  t.same(await checkpoints(), [])

  await sql`INSERT INTO projection_checkpoints (name, position) VALUES ('attendance_records', '123:4')`.execute(
    db.kysely,
  )
  await memberMarksDown(db.kysely)
  await memberMarksUp(db.kysely)
  t.same(await counted(), expected, 'the marks as they stand')
  t.same(
    await checkpoints(),
    [
      { name: 'attendance_records', position: '123:4' },
      { name: 'member_marks', position: '123:4' },
    ],
    'its runner goes on from where attendance_records stands',
  )
})
