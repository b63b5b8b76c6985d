import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { App } from '../../../src/api/types'
import { userStream } from '../../../src/domain/identity/user-events'
import { projectionConsumer } from '../../../src/projections/apply'
import { usersProjection } from '../../../src/projections/identity/users'
import { resetConsumer } from '../../../src/projections/runner'
import type { Runtime } from '../../../src/runtime'
import { createEvent, inHours, issueQr, mark, students } from '../../helpers/attendance'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, login, member, PASSWORD, signup } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { SseConnection } from '../../helpers/sse'

/**
 * The member directory (F22), deactivate ↔ reactivate (F23), remove (F24),
 * profiles (F29–F30) and the admin dashboard's counters (F25), through our
 * routes and the club frontend's. Rate limits are off: they are tested on their own.
 */
const env = { RATE_LIMIT_ENABLED: 'false' }

type Token = { access_token: string }
const get = (app: App, url: string, who: Token) => app.inject({ method: 'GET', url, headers: bearer(who.access_token) })
const send = (app: App, method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, who: Token, payload?: object) =>
  app.inject({ method, url, headers: bearer(who.access_token), ...(payload ? { payload } : {}) })
const typesOf = async (runtime: Runtime, userId: string) =>
  (await runtime.store.readStream(userStream(userId))).map((e) => e.type)

t.test('the directory: members with their attendance, in both shapes', async (t) => {
  const { app, runtime } = await testApp(t, { env })
  const admin = await adminSession(app, runtime)
  // ended before anyone below signed up: held, but not since they joined
  await createEvent(app, admin, { title: 'Before their time', starts_at: inHours(-5), ends_at: inHours(-4) })
  const [a, b, c] = await students(app, runtime, admin, 3)
  const now = await createEvent(app, admin, { title: 'Tonight' })
  const qr = await issueQr(app, admin, now.id)
  for (const s of [a!, b!]) t.equal((await mark(app, s, qr.payload)).statusCode, 200, 'marked')

  // the students' marks are their writes, not the admin's: the admin's read does not wait for them
  let club = await get(app, '/api/admin/members/', admin)
  await eventually(async () => {
    club = await get(app, '/api/admin/members/', admin)
    return (club.json() as { attended: number }[]).filter((m) => m.attended === 1).length === 2
  })
  t.equal(club.statusCode, 200)
  const rows = club.json() as {
    id: string
    name: string
    full_name: string
    attended: number
    total_events: number
    attendance_rate: number
    is_active: boolean
  }[]
  t.ok(Array.isArray(rows), "a bare array, as the club's page reads it")
  t.same(rows.map((r) => r.id).sort(), [a!, b!, c!].map((s) => s.user.id).sort(), 'every student, no admin')
  const byId = new Map(rows.map((r) => [r.id, r]))
  t.match(byId.get(a!.user.id), {
    name: 'Ada Member',
    full_name: 'Ada Member',
    attended: 1,
    total_events: 1,
    attendance_rate: 100,
    is_active: true,
  })
  t.match(
    byId.get(c!.user.id),
    { attended: 0, total_events: 1, attendance_rate: 0 },
    'held since they joined, not marked',
  )

  const first = await get(app, '/api/admin/members?limit=2', admin)
  const second = await get(app, `/api/admin/members?limit=2&cursor=${first.json().next_cursor}`, admin)
  const paged = [...first.json().items, ...second.json().items].map((m: { id: string }) => m.id)
  t.equal(paged.length, 4, 'ours pages every member, the admin too')
  t.equal(new Set(paged).size, 4, 'no member twice')
  t.equal(second.json().next_cursor, null)
  const found = await get(app, `/api/admin/members?q=${encodeURIComponent(b!.email.slice(0, 15).toUpperCase())}`, admin)
  t.same(
    found.json().items.map((m: { id: string }) => m.id),
    [b!.user.id],
    'searched by email, any case',
  )
  t.same((await get(app, '/api/admin/members?q=%25', admin)).json().items, [], 'a % is a character, not a wildcard')
  t.same((await get(app, '/api/admin/members?role=admin', admin)).json().items.length, 1)

  for (const bad of ['limit=0', 'limit=101', 'cursor=nope', 'role=owner', 'active=maybe', `q=${'x'.repeat(201)}`]) {
    const res = await get(app, `/api/admin/members?${bad}`, admin)
    t.equal(res.statusCode, 400, bad)
    t.equal(res.json().code, 'validation_error', bad)
    t.type(res.json().detail, 'string')
  }
  t.equal((await get(app, '/api/admin/members', a!)).statusCode, 403, 'students may not read it')
  t.equal((await app.inject({ method: 'GET', url: '/api/admin/members' })).statusCode, 401)
})

t.test('deactivate, reactivate, remove: refused everywhere at once, and told', async (t) => {
  const { app, runtime } = await testApp(t, { env })
  const admin = await adminSession(app, runtime)
  const other = await adminSession(app, runtime)
  const ada = await member(app, runtime, admin)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const ticket = (await send(app, 'POST', '/api/notifications/stream-ticket', ada)).json().ticket as string
  const stream = await SseConnection.open(port, `/api/notifications/stream?ticket=${ticket}`)
  t.teardown(() => stream.close())
  t.equal(stream.status, 200, 'a live notification stream')

  const off = await send(app, 'POST', `/api/admin/toggle-member/${ada.user.id}`, admin)
  t.equal(off.statusCode, 200)
  t.match(off.json(), { user_id: ada.user.id, is_active: false, message: String })
  t.equal((await get(app, '/api/auth/me', ada)).statusCode, 401, 'the access token no longer works')
  const refreshed = await app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    payload: { refresh_token: ada.refresh_token },
  })
  t.equal(refreshed.statusCode, 401, 'nor the refresh token')
  const again = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: ada.email, password: PASSWORD },
  })
  t.equal(again.json().code, 'account_deactivated', 'nor a new login')
  await eventually(async () => stream.ended)
  t.ok(
    stream.events.some((e) => JSON.parse(e.data).type === 'membership_deactivated'),
    'the stream said why, then ended',
  )
  const listed = (await get(app, '/api/admin/members', admin)).json() as { id: string; is_active: boolean }[]
  t.match(
    listed.find((m) => m.id === ada.user.id),
    { is_active: false },
    'still listed, so it can be switched back on',
  )

  const on = await send(app, 'POST', `/api/admin/toggle-member/${ada.user.id}`, admin)
  t.match(on.json(), { is_active: true })
  const back = await login(app, ada.email)
  t.equal((await get(app, '/api/auth/me', back)).statusCode, 200, 'reactivated: signs in again')
  t.equal(
    (await send(app, 'POST', `/api/admin/users/${ada.user.id}/reactivate`, admin)).statusCode,
    204,
    'ours, idempotent',
  )

  t.equal((await send(app, 'POST', `/api/admin/toggle-member/${admin.user.id}`, admin)).json().code, 'not_on_self')
  const adminRemoved = await send(app, 'DELETE', `/api/admin/remove-member/${other.user.id}`, admin)
  t.equal(adminRemoved.statusCode, 403)
  t.equal(adminRemoved.json().code, 'admin_not_removable')
  t.type(adminRemoved.json().detail, 'string')
  t.equal(
    (await send(app, 'DELETE', `/api/admin/remove-member/${ada.user.id}`, back)).statusCode,
    403,
    'students may not',
  )
  const unknown = '00000000-0000-4000-8000-000000000000'
  t.equal((await send(app, 'POST', `/api/admin/toggle-member/${unknown}`, admin)).statusCode, 404)
  t.equal((await send(app, 'DELETE', `/api/admin/remove-member/${unknown}`, admin)).statusCode, 404)
  t.equal((await send(app, 'POST', '/api/admin/toggle-member/nope', admin)).statusCode, 400)

  const removed = await send(app, 'DELETE', `/api/admin/remove-member/${ada.user.id}`, admin)
  t.same([removed.statusCode, removed.json().message], [200, 'Member removed'])
  t.equal((await get(app, '/api/auth/me', back)).statusCode, 401, 'removed: the session is gone')
  const refused = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: ada.email, password: PASSWORD },
  })
  t.equal(refused.json().code, 'account_removed')
  t.notOk(
    ((await get(app, '/api/admin/members', admin)).json() as { id: string }[]).some((m) => m.id === ada.user.id),
    'left the directory',
  )
  t.equal((await send(app, 'DELETE', `/api/admin/users/${ada.user.id}`, admin)).statusCode, 204, 'ours, idempotent')
  t.same(
    (await typesOf(runtime, ada.user.id)).filter((type) => type.startsWith('User')),
    ['UserDeactivated', 'UserReactivated', 'UserRemoved'],
    'one event per effective change',
  )
  await eventually(async () => {
    const actions = await runtime.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', ada.user.id)
      .execute()
    const seen = new Set(actions.map((r) => r.action))
    return ['user_deactivated', 'user_reactivated', 'user_removed'].every((a) => seen.has(a))
  })
  t.pass('each change is in the audit log')
  const rejoin = await signup(app, ada.email, PASSWORD, 'Ada Again')
  t.equal(rejoin.user.status, 'pending', 'the email may sign up again, and waits for approval')
})

t.test('20 concurrent toggles: one event per effective change, a consistent end', async (t) => {
  const { app, runtime } = await testApp(t, { env })
  const admin = await adminSession(app, runtime)
  const bo = await member(app, runtime, admin)
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => send(app, 'POST', `/api/admin/toggle-member/${bo.user.id}`, admin)),
  )
  const won = answers.filter((r) => r.statusCode === 200).length
  t.ok(
    answers.every((r) => r.statusCode === 200 || r.statusCode === 409),
    'each one flipped it, or lost the race with a 409',
  )
  const flips = (await typesOf(runtime, bo.user.id)).filter(
    (type) => type === 'UserDeactivated' || type === 'UserReactivated',
  )
  t.equal(flips.length, won, `${won} winners, as many events`)
  const listed = ((await get(app, '/api/admin/members', admin)).json() as { id: string; is_active: boolean }[]).find(
    (m) => m.id === bo.user.id,
  )
  t.equal(listed?.is_active, won % 2 === 0, 'active again after an even number of flips')

  const removes = await Promise.all(
    Array.from({ length: 20 }, () => send(app, 'DELETE', `/api/admin/remove-member/${bo.user.id}`, admin)),
  )
  t.ok(
    removes.every((r) => r.statusCode === 200 || r.statusCode === 409),
    'removing is idempotent',
  )
  t.equal((await typesOf(runtime, bo.user.id)).filter((type) => type === 'UserRemoved').length, 1, 'one removal')
})

t.test('a profile: edited through both shapes, read back at once, bad input changes nothing', async (t) => {
  const { app, runtime } = await testApp(t, { env })
  const admin = await adminSession(app, runtime)
  const cy = await member(app, runtime, admin)
  const empty = await get(app, '/api/member/profile', cy)
  t.match(empty.json(), { id: cy.user.id, email: cy.email, full_name: 'Ada Member', section: null, skills: [] })

  // the club's form sends the whole object back, echoed id, email and created_at included
  const form = {
    ...empty.json(),
    email: 'someone.else@club.example.org',
    id: 'x',
    full_name: 'Cy Twombly',
    section: 'A',
    branch: 'Data Science',
    year: '2027',
    bio: 'Maps and models.',
    skills: ['SQL', 'Python'],
  }
  const put = await send(app, 'PUT', '/api/member/profile', cy, form)
  t.equal(put.statusCode, 200)
  const expected = {
    id: cy.user.id,
    email: cy.email,
    full_name: 'Cy Twombly',
    section: 'A',
    branch: 'Data Science',
    year: '2027',
    bio: 'Maps and models.',
    skills: ['SQL', 'Python'],
  }
  t.match(put.json(), expected, 'the email never changes here')
  t.match((await get(app, '/api/member/profile', cy)).json(), expected, 'read back at once')
  t.match((await get(app, '/api/auth/me', cy)).json(), { ...expected, role: 'student' }, '/auth/me carries it')
  const patched = await send(app, 'PATCH', '/api/me/profile', cy, { bio: null, skills: ['SQL', 'R'] })
  t.match(patched.json(), { bio: null, skills: ['SQL', 'R'], section: 'A' }, 'ours changes a subset')
  const before = (await get(app, '/api/me/profile', cy)).json()

  for (const bad of [
    { bio: 'x'.repeat(301) },
    { section: 'x'.repeat(51) },
    { skills: Array.from({ length: 9 }, (_, i) => `s${i}`) },
    { skills: 'SQL, R' },
    { full_name: '' },
    { full_name: '   ' },
    { year: 2027 },
  ]) {
    const res = await send(app, 'PUT', '/api/member/profile', cy, bad)
    t.equal(res.statusCode, 400, JSON.stringify(bad))
    t.equal(res.json().code, 'validation_error')
    t.type(res.json().detail, 'string')
  }
  t.same((await get(app, '/api/me/profile', cy)).json(), before, 'nothing changed')
  t.equal((await app.inject({ method: 'PUT', url: '/api/member/profile', payload: {} })).statusCode, 401)
  const updates = (await typesOf(runtime, cy.user.id)).filter((type) => type === 'ProfileUpdated')
  t.equal(updates.length, 2, 'one event per save that changed something')
})

t.test("the admin dashboard's counters, nested and flat, from the read models", async (t) => {
  const { app, runtime } = await testApp(t, { env })
  const admin = await adminSession(app, runtime)
  const [dee, eve] = await students(app, runtime, admin, 2)
  await signup(app)
  t.equal((await send(app, 'POST', `/api/admin/toggle-member/${eve!.user.id}`, admin)).statusCode, 200)
  const tonight = await createEvent(app, admin, { title: 'Tonight' })
  await createEvent(app, admin, { title: 'Next week', starts_at: inHours(24 * 7), ends_at: inHours(24 * 7 + 2) })
  t.equal((await mark(app, dee!, (await issueQr(app, admin, tonight.id)).payload)).statusCode, 200)

  const want = {
    users: { total: 3, students: 1, admins: 1, inactive: 1, pending_approvals: 1 },
    events: { total: 2, upcoming: 1, past: 1 },
    attendance: { total_records: 1, average_attendance_rate: 100 },
    qr: { live_sessions: 1 },
    total_members: 3,
    pending_users: 1,
    total_events: 2,
    active_sessions: 1,
  }
  // the admin's own writes are waited for; the student's mark and the anonymous signup are not theirs
  await eventually(
    async () => JSON.stringify((await get(app, '/api/admin/stats', admin)).json()) === JSON.stringify(want),
  )
  t.same((await get(app, '/api/admin/stats', admin)).json(), want)
  t.equal((await get(app, '/api/admin/stats', dee!)).statusCode, 403)

  // a cancelled event was not held, and its code marks no more
  t.equal(
    (await send(app, 'POST', `/api/admin/events/${tonight.id}/status`, admin, { status: 'cancelled' })).statusCode,
    200,
  )
  t.match((await get(app, '/api/admin/stats', admin)).json(), {
    events: { total: 2 },
    attendance: { total_records: 1, average_attendance_rate: 0 },
    qr: { live_sessions: 0 },
  })
  t.equal((await get(app, '/api/attendance/active-session', dee!)).json().active, false, 'no live code for students')
  t.match(
    (await get(app, '/api/attendance/stats', dee!)).json(),
    { total_events: 1, attended: 1 },
    'the mark still counts',
  )
})

t.test('the users read model rebuilt from position 0 has identical rows', async (t) => {
  const { app, runtime } = await testApp(t, { env })
  const admin = await adminSession(app, runtime)
  const [fay, gus] = await students(app, runtime, admin, 2)
  await send(app, 'PUT', '/api/member/profile', fay!, { section: 'B', skills: ['Stats'], bio: 'Hello' })
  await send(app, 'POST', `/api/admin/toggle-member/${gus!.user.id}`, admin)
  await send(app, 'POST', `/api/admin/toggle-member/${gus!.user.id}`, admin)
  await send(app, 'DELETE', `/api/admin/remove-member/${gus!.user.id}`, admin)
  await signup(app)
  const rows = () => runtime.db.kysely.selectFrom('users').selectAll().orderBy('id').execute()
  await eventually(async () => (await rows()).length === 4 && (await rows()).some((r) => r.status === 'removed'))
  const before = await rows()
  await resetConsumer(runtime.db.kysely, projectionConsumer(usersProjection))
  await eventually(async () => JSON.stringify(await rows()) === JSON.stringify(before))
  t.same(await rows(), before)
})
