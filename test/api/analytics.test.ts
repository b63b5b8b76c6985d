import t from 'tap'
import { adminSession, bearer, member } from '../helpers/identity'
import { eventually } from '../helpers/eventually'
import { testApp } from '../helpers/runtime'

t.test('the analytics views and the summary endpoint count what happened', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  const student = await member(app, runtime, admin)
  const hour = 3_600_000
  const created = await app.inject({
    method: 'POST',
    url: '/api/admin/events',
    headers: bearer(admin.access_token),
    payload: {
      title: 'Data night',
      starts_at: new Date(Date.now() - hour).toISOString(),
      ends_at: new Date(Date.now() + hour).toISOString(),
    },
  })
  t.equal(created.statusCode, 201)
  const eventId = created.json().event.id
  const qr = await app.inject({
    method: 'POST',
    url: '/api/admin/qr-sessions',
    headers: bearer(admin.access_token),
    payload: { event_id: eventId },
  })
  t.equal(qr.statusCode, 201)
  const marked = await app.inject({
    method: 'POST',
    url: '/api/attendance/mark',
    headers: bearer(student.access_token),
    payload: { qr_payload: qr.json().qr_session.payload },
  })
  t.equal(marked.statusCode, 200)

  await eventually(async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/admin/analytics/summary',
      headers: bearer(admin.access_token),
    })
    return res
      .json()
      .per_event?.some(
        (e: { club_event_id: string; attendance_count: number }) =>
          e.club_event_id === eventId && e.attendance_count === 1,
      )
  })
  const summary = (
    await app.inject({ method: 'GET', url: '/api/admin/analytics/summary', headers: bearer(admin.access_token) })
  ).json()
  const me = summary.per_member.find((m: { user_id: string }) => m.user_id === student.user.id)
  t.same(
    { attended: me.events_attended, held: me.events_held_since_joined },
    { attended: 1, held: 0 },
    'the club event started before the member joined',
  )
  t.ok(summary.signups_per_day.reduce((n: number, d: { signups: number }) => n + d.signups, 0) >= 2)
  t.ok(summary.decisions_per_day.reduce((n: number, d: { approved: number }) => n + d.approved, 0) >= 2)
  t.equal(
    summary.attendance_per_day.reduce((n: number, d: { marks: number }) => n + d.marks, 0),
    1,
  )

  const bad = await app.inject({
    method: 'GET',
    url: '/api/admin/analytics/summary?from=2026-02-01&to=2026-01-01',
    headers: bearer(admin.access_token),
  })
  t.equal(bad.statusCode, 400)
  const forbidden = await app.inject({
    method: 'GET',
    url: '/api/admin/analytics/summary',
    headers: bearer(student.access_token),
  })
  t.equal(forbidden.statusCode, 403)
})
