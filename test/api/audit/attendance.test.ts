import t, { type Test } from 'tap'
import { adminSession, bearer, member } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { inHours } from '../../helpers/attendance'
import { client, rowsOf } from '../../helpers/audit'

/** Club events, QR sessions and marks: each command and each refused mark is exactly its audit rows. */
type Row = Awaited<ReturnType<typeof rowsOf>>[number]
type Client = ReturnType<typeof client>
const actions = (rows: Row[]) => rows.map((r) => r.action).sort()

t.test('club event, QR and attendance actions each leave one audit row with actor, outcome and client', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  const student = await member(app, runtime, admin)
  const call = (method: 'POST' | 'PATCH' | 'DELETE', url: string, c: Client, token: string, payload?: object) =>
    app.inject({
      method,
      url,
      remoteAddress: c.ip,
      headers: { ...c.headers, ...bearer(token) },
      ...(payload ? { payload } : {}),
    })
  async function one(t: Test, c: Client, action: string, want: Record<string, unknown>) {
    const rows = await rowsOf(runtime, c.request_id)
    t.same(actions(rows), [action], `${action}: exactly one row`)
    t.match(
      rows[0],
      { ip: c.ip, user_agent: c.user_agent, request_id: c.request_id, ...want },
      `${action}: actor, outcome and client`,
    )
    return rows[0]!
  }
  const asAdmin = { actor_id: admin.user.id, actor_role: 'admin', outcome: 'success' as const }

  const c1 = client('event-create')
  const created = await call('POST', '/api/admin/events', c1, admin.access_token, {
    title: 'Audit Night',
    starts_at: inHours(-1),
    ends_at: inHours(2),
  })
  t.equal(created.statusCode, 201)
  const eventId = created.json().event.id as string
  await one(t, c1, 'club_event_created', {
    ...asAdmin,
    target_type: 'club_event',
    target_id: eventId,
    details: { title: 'Audit Night' },
  })

  const c2 = client('event-update')
  t.equal(
    (await call('PATCH', `/api/admin/events/${eventId}`, c2, admin.access_token, { notes: 'bring a laptop' }))
      .statusCode,
    200,
  )
  await one(t, c2, 'club_event_updated', { ...asAdmin, target_id: eventId })

  const c3 = client('qr-issue')
  const issued = await call('POST', '/api/admin/qr-sessions', c3, admin.access_token, { event_id: eventId })
  t.equal(issued.statusCode, 201)
  const qr = issued.json().qr_session as { id: string; payload: string }
  await one(t, c3, 'qr_issued', {
    ...asAdmin,
    target_type: 'qr_session',
    target_id: qr.id,
    details: { club_event_id: eventId },
  })

  const c4 = client('mark')
  t.equal(
    (await call('POST', '/api/attendance/mark', c4, student.access_token, { qr_payload: qr.payload })).statusCode,
    200,
  )
  await one(t, c4, 'attendance_marked', {
    outcome: 'success',
    actor_id: student.user.id,
    actor_role: 'student',
    target_type: 'club_event',
    target_id: eventId,
    details: { user_id: student.user.id, qr_session_id: qr.id },
  })

  const c5 = client('mark-again')
  t.equal(
    (await call('POST', '/api/attendance/mark', c5, student.access_token, { qr_payload: qr.payload })).statusCode,
    409,
  )
  await one(t, c5, 'attendance_rejected', {
    outcome: 'failure',
    actor_id: student.user.id,
    actor_role: 'student',
    target_id: eventId,
    details: { reason: 'already_marked' },
  })

  const c6 = client('mark-forged')
  t.equal(
    (
      await call('POST', '/api/attendance/mark', c6, student.access_token, {
        qr_payload: `${qr.payload.slice(0, -4)}AAAA`,
      })
    ).statusCode,
    400,
  )
  await one(t, c6, 'attendance_rejected', {
    outcome: 'failure',
    actor_id: student.user.id,
    target_id: null,
    details: { reason: 'qr_invalid' },
  })

  const c7 = client('qr-revoke')
  t.equal((await call('POST', `/api/admin/qr-sessions/${qr.id}/revoke`, c7, admin.access_token)).statusCode, 204)
  await one(t, c7, 'qr_revoked', { ...asAdmin, target_id: qr.id })

  const c8 = client('event-delete')
  t.equal((await call('DELETE', `/api/admin/events/${eventId}`, c8, admin.access_token)).statusCode, 204)
  await one(t, c8, 'club_event_deleted', { ...asAdmin, target_id: eventId })
})
