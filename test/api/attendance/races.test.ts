import t from 'tap'
import { attendanceStream } from '../../../src/domain/attendance/events'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, member } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { createEvent, issueQr, mark, students } from '../../helpers/attendance'

/**
 * One mark per (club event, student) is the store's no_stream append, so it
 * holds however many scans race; distinct students never block each other.
 */
t.test('attendance races', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const admin = await adminSession(app, runtime)

  t.test('one student scanning one QR code 50 times at once marks exactly once', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const ada = await member(app, runtime, admin)

    const answers = await Promise.all(Array.from({ length: 50 }, () => mark(app, ada, qr.payload)))
    const statuses = answers.map((r) => r.statusCode)
    t.equal(statuses.filter((s) => s === 200).length, 1, 'exactly one 200')
    t.equal(statuses.filter((s) => s === 409).length, 49, '49 × 409')
    t.ok(
      answers.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'already_marked'),
      'each 409 is already_marked',
    )

    const stream = await runtime.store.readStream(attendanceStream(event.id, ada.user.id))
    t.equal(stream.length, 1, 'one event in the attendance stream')
    t.equal(stream.filter((e) => e.type === 'AttendanceMarked').length, 1, 'exactly one AttendanceMarked')
    const winner = answers.find((r) => r.statusCode === 200)!.json().attendance
    t.equal(
      (stream[0]!.data as { attendance_id: string }).attendance_id,
      winner.id,
      'the stored mark is the one answered 200',
    )

    await eventually(
      async () =>
        (
          await runtime.db.kysely
            .selectFrom('club_events')
            .select('attendance_count')
            .where('id', '=', event.id)
            .executeTakeFirst()
        )?.attendance_count === 1,
    )
    const rows = await runtime.db.kysely
      .selectFrom('attendance_records')
      .selectAll()
      .where('club_event_id', '=', event.id)
      .execute()
    t.equal(rows.length, 1, 'one attendance row')
    const counted = async () =>
      (
        await runtime.db.kysely
          .selectFrom('member_marks')
          .select('marks')
          .where('user_id', '=', ada.user.id)
          .executeTakeFirst()
      )?.marks
    await eventually(async () => (await counted()) !== undefined)
    t.equal(await counted(), 1, 'one mark counted for her')
  })

  t.test('20 students scanning 5 QR codes twice each, all at once: 5 marks each, and 5 counted', async (t) => {
    const events = await Promise.all(Array.from({ length: 5 }, () => createEvent(app, admin)))
    const codes = await Promise.all(events.map((e) => issueQr(app, admin, e.id, 600)))
    const crowd = await students(app, runtime, admin, 20, 20)
    const scans = crowd.flatMap((s) => codes.flatMap((qr) => [mark(app, s, qr.payload), mark(app, s, qr.payload)]))
    const statuses = (await Promise.all(scans)).map((r) => r.statusCode)
    t.equal(statuses.filter((s) => s === 200).length, 100, 'one winner for each student and code')
    t.equal(statuses.filter((s) => s === 409).length, 100, 'the other scan of each pair: 409')
    const ids = crowd.map((s) => s.user.id)
    const db = runtime.db.kysely
    await eventually(async () => {
      const [rows, counted] = await Promise.all([
        db
          .selectFrom('attendance_records')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('user_id', 'in', ids)
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('member_marks')
          .select((eb) => eb.fn.sum<string>('marks').as('n'))
          .where('user_id', 'in', ids)
          .executeTakeFirstOrThrow(),
      ])
      return Number(rows.n) === 100 && Number(counted.n) >= 100
    }, 30_000)
    const counted = await db
      .selectFrom('member_marks')
      .select(['user_id', 'marks'])
      .where('user_id', 'in', ids)
      .execute()
    t.same(
      counted.map((r) => r.marks),
      Array(20).fill(5),
      'member_marks: 5 for each, as many as their rows',
    )
  })

  t.test('200 students scanning one QR code at once all mark', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id, 600)
    const crowd = await students(app, runtime, admin, 200, 20)
    t.equal(new Set(crowd.map((s) => s.user.id)).size, 200, '200 distinct approved students')

    const answers = await Promise.all(crowd.map((s) => mark(app, s, qr.payload)))
    const wrong = answers.filter((r) => r.statusCode !== 200).map((r) => `${r.statusCode} ${r.body}`)
    t.same(wrong, [], '200 × 201')
    t.same(
      answers.map((r) => r.json().attendance?.user_id).sort(),
      crowd.map((s) => s.user.id).sort(),
      'one mark for each student',
    )

    const db = runtime.db.kysely
    await eventually(async () => {
      const [rows, ev] = await Promise.all([
        db
          .selectFrom('attendance_records')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('club_event_id', '=', event.id)
          .executeTakeFirstOrThrow(),
        db.selectFrom('club_events').select('attendance_count').where('id', '=', event.id).executeTakeFirstOrThrow(),
      ])
      return Number(rows.n) === 200 && ev.attendance_count === 200
    }, 30_000)
    const rows = await db
      .selectFrom('attendance_records')
      .select(['user_id'])
      .where('club_event_id', '=', event.id)
      .execute()
    t.equal(rows.length, 200, 'exactly 200 attendance rows once projected')
    t.equal(new Set(rows.map((r) => r.user_id)).size, 200, 'one per student')
    const count = await db
      .selectFrom('club_events')
      .select('attendance_count')
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow()
    t.equal(count.attendance_count, 200, 'club_events.attendance_count = 200')

    const list = await app.inject({
      method: 'GET',
      url: `/api/admin/events/${event.id}/attendance`,
      headers: bearer(admin.access_token),
    })
    t.equal(list.json().items.length, 200, 'the admin list has all 200')
  })
})
