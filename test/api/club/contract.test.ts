import t from 'tap'
import type { App } from '../../../src/api/types'
import { PASSWORD, adminSession, bearer, login, projected, uniqueEmail } from '../../helpers/identity'
import { eventually } from '../../helpers/eventually'
import { testApp } from '../../helpers/runtime'

/**
 * The club's own clients (CarvedCoder/Data_Science_Club: its React frontend and
 * four API scripts), replayed from the facts of its wire contract: what they
 * send and the status codes and fields they read. Not their code.
 */
const ORIGIN = 'http://club.example.org'
const ZONE = 'Asia/Kolkata' // +05:30 all year: a naive time's instant is known exactly

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const URLENCODED = { 'content-type': 'application/x-www-form-urlencoded' }

function multipart(fields: Record<string, string>) {
  const boundary = '----clubform7MA4YWxkTrZu0gW'
  const parts = Object.entries(fields).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  )
  return {
    payload: `${parts.join('')}--${boundary}--\r\n`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }
}

t.test("the club's frontend and scripts, call by call", async (t) => {
  const { app, runtime } = await testApp(t, {
    env: { CORS_ORIGINS: ORIGIN, CLUB_TIMEZONE: ZONE, RATE_LIMIT_ENABLED: 'false' },
  })
  const admin = await adminSession(app, runtime, 'admin@dsclub.com')
  const asAdmin = bearer(admin.access_token)
  const get = (url: string, headers: Record<string, string> = asAdmin) => app.inject({ method: 'GET', url, headers })
  const post = (url: string, payload?: object, headers: Record<string, string> = asAdmin) =>
    app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) })

  /** signup → the pending list → decide, as the scripts do it; then a urlencoded login */
  async function approvedMember(app: App, name: string) {
    const email = uniqueEmail(name)
    const signed = await post('/api/auth/signup', { email, password: PASSWORD, full_name: `QR ${name}` }, {})
    t.equal(signed.statusCode, 200, 'signup: exactly 200 (C3, Q3, W1)')
    const { user_id, approval_request_id } = signed.json()
    // the scripts read the list 0.5 s after an anonymous signup (no session to read its own write)
    await projected(runtime, approval_request_id)
    t.match({ user_id, approval_request_id }, { user_id: /^[0-9a-f-]{36}$/, approval_request_id: /^[0-9a-f-]{36}$/ })
    const pending = await get('/api/admin/approval-requests?status_filter=PENDING&page=1&limit=20')
    t.equal(pending.statusCode, 200)
    const list = pending.json()
    t.equal(list.requests[0].id, approval_request_id, 'newest first: requests[0] is the signup just made (Q14)')
    t.match(list, { total: Number, page: 1, limit: 20 })
    t.match(list.requests[0], { status: 'pending', user: { email, full_name: `QR ${name}` } })
    t.ok(list.requests[0].time_remaining_seconds > 0, 'the countdown that shows the buttons (W4, F20)')
    const decided = await post(`/api/admin/approval-requests/${approval_request_id}/decide`, {
      decision: 'approved',
      approved_role: 'student',
      rejection_reason: null,
    })
    t.equal(decided.statusCode, 200, 'decide with the club’s words and an explicit null (C9, Q4)')
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: URLENCODED,
      payload: form({ username: email, password: PASSWORD }),
    })
    t.equal(login.statusCode, 200, 'urlencoded username/password (Q5, W6)')
    t.match(login.json(), {
      access_token: String,
      refresh_token: String,
      user: { role: 'student', full_name: `QR ${name}` },
    })
    return { email, id: user_id as string, headers: bearer(login.json().access_token) }
  }

  await t.test(
    'login: JSON, urlencoded and multipart; a wrong password is a 401 with its sentence in detail',
    async (t) => {
      const json = await post('/api/auth/login', { email: 'admin@dsclub.com', password: PASSWORD }, {})
      t.equal(json.statusCode, 200, 'JSON {email, password}, as before')
      const { payload, headers } = multipart({ username: 'admin@dsclub.com', password: PASSWORD })
      const fromBrowser = await app.inject({ method: 'POST', url: '/api/auth/login', headers, payload })
      t.equal(fromBrowser.statusCode, 200, 'FormData from the browser (F1)')
      t.equal(fromBrowser.json().user.role, 'admin')
      const wrong = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: URLENCODED,
        payload: form({ username: 'invalid@test.com', password: 'wrongpassword' }),
      })
      t.equal(wrong.statusCode, 401, 'C2, A2')
      t.match(wrong.json(), { code: 'invalid_credentials', detail: String })
      t.equal(wrong.json().detail, wrong.json().message)
      const neither = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: URLENCODED,
        payload: form({ password: 'x' }),
      })
      t.equal(neither.statusCode, 400)
      t.match(neither.json(), { code: 'validation_error', detail: /email/ })
      const file = multipart({ username: 'admin@dsclub.com', password: PASSWORD })
      const withFile = file.payload.replace(
        'name="password"',
        'name="password"; filename="p.txt"\r\nContent-Type: text/plain',
      )
      const refused = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: file.headers,
        payload: withFile,
      })
      t.ok(
        refused.statusCode >= 400 && refused.statusCode < 500,
        `a file in a login form is a 4xx (${refused.statusCode})`,
      )
      const other = await app.inject({
        method: 'POST',
        url: '/api/admin/events',
        headers: { ...asAdmin, ...URLENCODED },
        payload: form({ title: 'x' }),
      })
      t.equal(other.statusCode, 415, 'only login takes a form')
    },
  )

  await t.test(
    'transport: both spellings of a path, 405 with Allow, CORS from CORS_ORIGINS, detail everywhere',
    async (t) => {
      for (const url of ['/api/events', '/api/events/'])
        t.ok(Array.isArray((await get(url)).json()), `${url}: the bare array the member dashboard slices (F5)`)
      const wrongMethod = await app.inject({ method: 'DELETE', url: '/api/auth/login' })
      t.equal(wrongMethod.statusCode, 405)
      t.equal(wrongMethod.headers.allow, 'POST')
      t.match(wrongMethod.json(), { code: 'method_not_allowed', detail: String })
      const nowhere = await get('/api/no/such/route')
      t.match(
        { status: nowhere.statusCode, ...nowhere.json() },
        { status: 404, code: 'route_not_found', detail: String },
      )
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/api/auth/login',
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      })
      t.equal(preflight.statusCode, 204)
      t.equal(preflight.headers['access-control-allow-origin'], ORIGIN)
      const stranger = await app.inject({
        method: 'GET',
        url: '/health',
        headers: { origin: 'http://evil.example' },
      })
      t.equal(stranger.headers['access-control-allow-origin'], undefined, 'another origin gets no CORS header')
      const me = await get('/api/auth/me', {})
      t.match({ status: me.statusCode, ...me.json() }, { status: 401, detail: String }, 'C6')
    },
  )

  await t.test('unknown keys are ignored and never assigned; null on an optional field is absent', async (t) => {
    const email = uniqueEmail('sneaky')
    const signed = await post(
      '/api/auth/signup',
      { email, password: PASSWORD, full_name: 'Sneaky', role: 'admin', status: 'approved', id: 'x' },
      {},
    )
    t.equal(signed.statusCode, 200)
    await projected(runtime, signed.json().approval_request_id)
    const list = await get('/api/admin/approval-requests?status_filter=pending')
    const mine = list.json().requests.find((r: { user: { email: string } }) => r.user.email === email)
    t.equal(mine.status, 'pending', 'the extra role and status were not assigned')
    const rejected = await post(`/api/admin/approval-requests/${signed.json().approval_request_id}/decide`, {
      decision: 'rejected',
      approved_role: null,
      rejection_reason: null,
      page: 3,
    })
    t.equal(rejected.statusCode, 200, 'nulls and a stray key: a plain rejection')
    t.match(rejected.json(), { approval_request: { status: 'rejected' }, message: 'User rejected' })
    const again = await post(`/api/admin/approval-requests/${signed.json().approval_request_id}/decide`, {
      decision: 'approved',
    })
    t.equal(again.statusCode, 409)
    for (const filter of ['PENDING', 'APPROVED', 'REJECTED', 'TIMEOUT', 'timeout'])
      t.equal((await get(`/api/admin/approval-requests?status_filter=${filter}`)).statusCode, 200, filter)
    const rejectedList = (await get('/api/admin/approval-requests?status_filter=REJECTED')).json()
    t.ok(rejectedList.requests.every((r: { status: string }) => r.status === 'rejected'))
    t.equal((await get('/api/admin/approval-requests?status_filter=maybe')).statusCode, 400)
  })

  await t.test('events: a naive time is the club’s wall clock; create, read at once, edit, list, delete', async (t) => {
    const created = await post('/api/events', {
      title: 'QR Attendance Test Event',
      description: 'sent by every client',
      scheduled_at: '2030-12-24T18:30:00',
      notes: '',
    })
    t.equal(created.statusCode, 200, 'Q2: POST /api/events, exactly 200')
    const event = created.json()
    t.match(event, {
      id: String,
      title: 'QR Attendance Test Event',
      scheduled_at: '2030-12-24T18:30:00.000+05:30',
      starts_at: '2030-12-24T13:00:00.000Z',
      ends_at: '2030-12-24T15:00:00.000Z',
      status: 'scheduled',
      event: { id: event.id },
    })
    const one = await get(`/api/events/${event.id}`)
    t.equal(one.statusCode, 200, 'read straight after the create (C16)')
    t.match(one.json(), {
      id: event.id,
      title: 'QR Attendance Test Event',
      scheduled_at: String,
      event: { id: event.id },
    })
    const moved = await app.inject({
      method: 'PUT',
      url: `/api/events/${event.id}/`,
      headers: asAdmin,
      payload: {
        title: 'Renamed',
        description: 'd',
        date: '2030-12-25',
        time: '10:00',
        instructor: 'x',
        event_type: 'Workshop',
        scheduled_at: '2030-12-25T10:00:00',
      },
    })
    t.equal(moved.statusCode, 200, 'the whole edit form (F8, C17)')
    t.match(moved.json(), {
      title: 'Renamed',
      starts_at: '2030-12-25T04:30:00.000Z',
      ends_at: '2030-12-25T06:30:00.000Z',
    })
    const listed = (await get('/api/events/')).json()
    t.match(
      listed.find((e: { id: string }) => e.id === event.id),
      {
        title: 'Renamed',
        attendee_count: 0,
        attended: false,
        scheduled_at: '2030-12-25T10:00:00.000+05:30',
        event_date: '2030-12-25T10:00:00.000+05:30',
      },
    )
    t.notOk('date' in listed[0], "no `date` here: the admin's edit form would take it whole as its date")
    const calendar = (await get('/api/member/events')).json()
    t.match(
      calendar.find((e: { id: string }) => e.id === event.id),
      { date: '2030-12-25T10:00:00.000+05:30' },
      'the calendar (F31) reads `date`',
    )
    t.equal(event.description, 'sent by every client', 'the description is kept (F7)')
    t.equal(moved.json().description, 'd', 'and edited (F8)')
    const put = (payload: object) =>
      app.inject({ method: 'PUT', url: `/api/events/${event.id}`, headers: asAdmin, payload })
    const completed = await put({ status: 'completed' })
    t.match({ s: completed.statusCode, ...completed.json() }, { s: 200, status: 'completed' }, 'F9: mark as completed')
    const listedDone = (await get('/api/events/')).json().find((e: { id: string }) => e.id === event.id)
    t.equal(listedDone.status, 'completed', 'the list shows it at once')
    const reverted = await put({ status: 'scheduled' })
    t.match({ s: reverted.statusCode, ...reverted.json() }, { s: 200, status: 'scheduled' }, 'F10: revert to scheduled')
    const bad = await put({ status: 'finished', title: 'Not stored' })
    t.match(
      { s: bad.statusCode, ...bad.json() },
      { s: 400, code: 'validation_error', detail: String },
      'a status the club does not know',
    )
    t.equal((await get(`/api/events/${event.id}`)).json().title, 'Renamed', 'and nothing of that PUT stored')
    const missing = await app.inject({
      method: 'PUT',
      url: '/api/events/00000000-0000-4000-8000-000000000000',
      headers: asAdmin,
      payload: { title: 'x' },
    })
    t.equal(missing.statusCode, 404)
    t.equal((await post('/api/events', { title: 'no time' })).statusCode, 400, 'a start is required')
    t.equal(
      (await post('/api/events', { title: 't', scheduled_at: '2030-02-30T10:00:00' })).statusCode,
      400,
      'no such day',
    )
    const gone = await post('/api/events/', {
      title: 'Event to Delete',
      scheduled_at: '2030-01-01T10:00:00',
      notes: '',
    })
    const deleted = await app.inject({ method: 'DELETE', url: `/api/events/${gone.json().id}`, headers: asAdmin })
    t.match({ s: deleted.statusCode, ...deleted.json() }, { s: 200, message: String }, 'C18')
    t.equal((await get(`/api/events/${gone.json().id}`)).statusCode, 404)
  })

  await t.test('the QR flow: start, see it live, scan, rotate, roster, history, stop', async (t) => {
    const ada = await approvedMember(app, 'ada')
    const bob = await approvedMember(app, 'bob')
    const me = await get('/api/auth/me', ada.headers)
    t.match(
      me.json(),
      { id: ada.id, email: ada.email, role: 'student', is_active: true, approval_status: null },
      'W7, F4',
    )
    const event = (await post('/api/events', { title: 'Scan me', scheduled_at: new Date().toISOString() })).json()
    t.equal((await get('/api/attendance/active-session', ada.headers)).json().active, false, 'nothing live yet')
    const started = await post('/api/attendance/start-session', { event_id: event.id })
    t.equal(started.statusCode, 200, 'C19, Q6')
    const first = started.json()
    t.match(first, {
      session_id: String,
      qr_payload: String,
      expires_in_seconds: 60,
      event_id: event.id,
      event_title: 'Scan me',
    })
    // another member's write: the scan page polls ("Check Again") until the projection shows it
    let live = { active: false } as Record<string, unknown>
    await eventually(
      async () => (live = (await get('/api/attendance/active-session', ada.headers)).json()).active === true,
    )
    t.match(live, {
      active: true,
      session_id: first.session_id,
      event: { id: event.id, title: 'Scan me' },
      expires_in_seconds: Number,
    })
    t.notOk('qr_payload' in live, 'a student never sees the payload there')

    const rotated = await post(`/api/attendance/refresh-qr/${first.session_id}`)
    t.equal(rotated.statusCode, 200, 'C21')
    t.not(rotated.json().qr_payload, first.qr_payload, 'the next code')
    const marked = await post('/api/attendance/mark', { qr_payload: ` ${first.qr_payload}\n` }, ada.headers)
    t.equal(marked.statusCode, 200, 'the code on screen a moment ago still marks (Q8), untrimmed camera text too')
    t.match(marked.json(), {
      attendance_id: String,
      message: 'Attendance marked successfully',
      event: { id: event.id, title: 'Scan me' },
      attendance_record: { id: String, marked_at: String },
    })
    const twice = await post('/api/attendance/mark', { qr_payload: rotated.json().qr_payload }, ada.headers)
    t.match({ s: twice.statusCode, ...twice.json() }, { s: 409, code: 'already_marked', detail: String }, 'Q9')

    // ada's write, the admin's read: the QR page polls the roster every 3 s
    let roster: { total_attended?: number; present: unknown[]; attendance_records: unknown[] } = {
      present: [],
      attendance_records: [],
    }
    await eventually(async () => {
      roster = (await get(`/api/attendance/event/${event.id}`)).json()
      return roster.total_attended === 1
    })
    t.match(roster, { total_attended: 1, total_students: Number, percentage: Number, attendance_rate: Number })
    t.match(roster.present[0], { id: ada.id, name: 'QR ada', email: ada.email })
    t.match(roster.attendance_records[0], { user: { full_name: 'QR ada', email: ada.email } }, 'Q10')
    const figures = (await get('/api/attendance/stats', ada.headers)).json()
    t.match(figures, { attended: 1, events_attended: 1, total_events: Number }, 'her own figures, at once (F19, Q12)')
    // held since she joined: this event only (the others start in 2030, or were deleted)
    t.match(figures, { total_events: 1, percentage: 100, attendance_rate: 100 })
    const bobs = (await get('/api/attendance/stats', bob.headers)).json()
    t.match(bobs, { total_events: 1, attended: 0, percentage: 0 }, 'bob marked nothing yet')
    const history = (await get('/api/attendance/my-attendance', ada.headers)).json()
    t.match(history.attendance[0], {
      event: { id: event.id, title: 'Scan me', scheduled_at: String },
      marked_at: String,
    })

    const stopped = await post(`/api/attendance/stop-session/${rotated.json().session_id}`)
    t.match({ s: stopped.statusCode, ...stopped.json() }, { s: 200, message: String }, 'C26, Q13')
    const late = await post('/api/attendance/mark', { qr_payload: rotated.json().qr_payload }, bob.headers)
    t.match({ s: late.statusCode, ...late.json() }, { s: 410, code: 'qr_revoked', detail: String }, 'Q14')
    const again = await post('/api/attendance/start-session', { event_id: event.id })
    const byAdmin = await post('/api/attendance/mark', { qr_payload: again.json().qr_payload })
    t.equal(byAdmin.statusCode, 200, 'an admin marks their own attendance (C22)')

    t.equal((await post('/api/attendance/start-session', { event_id: 'nope' })).statusCode, 400)
    const unknown = await post('/api/attendance/start-session', { event_id: '00000000-0000-4000-8000-000000000000' })
    t.equal(unknown.statusCode, 404)
    t.equal((await post('/api/attendance/refresh-qr/00000000-0000-4000-8000-000000000000')).statusCode, 404)
    t.equal((await post('/api/attendance/start-session', { event_id: event.id }, ada.headers)).statusCode, 403)
  })

  await t.test('the member pages: directory, toggle, remove, dashboard, profile (F22–F25, F29–F30)', async (t) => {
    const cy = await approvedMember(app, 'cy')
    const members = await get('/api/admin/members')
    t.equal(members.statusCode, 200, 'C27, A20')
    const row = (members.json() as { id: string }[]).find((m) => m.id === cy.id)
    t.match(
      row,
      {
        name: 'QR cy',
        email: cy.email,
        attended: Number,
        total_events: Number,
        attendance_rate: Number,
        is_active: true,
      },
      'the fields the page reads',
    )
    const off = await post(`/api/admin/toggle-member/${cy.id}`)
    t.match({ s: off.statusCode, ...off.json() }, { s: 200, user_id: cy.id, is_active: false }, 'C28')
    t.equal((await post(`/api/admin/toggle-member/${cy.id}`)).json().is_active, true, 'and back on')
    const stats = await get('/api/admin/stats')
    t.equal(stats.statusCode, 200, 'C29, A19')
    t.match(stats.json(), {
      total_members: Number,
      pending_users: Number,
      total_events: Number,
      active_sessions: Number,
      users: { total: Number },
    })

    // the toggle ended cy's sessions: a new login
    const again = await login(app, cy.email)
    const mine = { authorization: `Bearer ${again.access_token}` }
    const profile = await get('/api/member/profile', mine)
    t.match(profile.json(), { id: cy.id, email: cy.email, full_name: 'QR cy', skills: [] }, 'F29')
    const saved = await app.inject({
      method: 'PUT',
      url: '/api/member/profile',
      headers: mine,
      payload: { ...(profile.json() as object), bio: 'x', skills: ['SQL'] },
    })
    t.equal(saved.statusCode, 200, 'F30: the whole object back, echoed fields and all')
    t.match((await get('/api/member/profile', mine)).json(), { bio: 'x', skills: ['SQL'] }, 'and a reload shows it')
    const removed = await app.inject({ method: 'DELETE', url: `/api/admin/remove-member/${cy.id}`, headers: asAdmin })
    t.match({ s: removed.statusCode, ...removed.json() }, { s: 200, message: String }, 'F24')
    const refusal = await app.inject({
      method: 'DELETE',
      url: `/api/admin/remove-member/${admin.user.id}`,
      headers: asAdmin,
    })
    t.match(
      { s: refusal.statusCode, ...refusal.json() },
      { s: 403, code: 'admin_not_removable', detail: String },
      'admins are refused',
    )
  })

  await t.test(
    'study resources: the scripts’ list, upload and delete (C30–C32; the rest: test/api/resources)',
    async (t) => {
      const boundary = '----clubupload7MA4YWxkTrZu0gW'
      const part = (head: string, body: string) =>
        `--${boundary}\r\nContent-Disposition: form-data; ${head}\r\n\r\n${body}\r\n`
      const payload =
        part(
          'name="file"; filename="test_file.txt"\r\nContent-Type: text/plain',
          'This is a test file for upload.\n!',
        ) +
        part('name="title"', 'Test Resource') +
        part('name="description"', 'Test resource description') +
        `--${boundary}--\r\n`
      const uploaded = await app.inject({
        method: 'POST',
        url: '/api/resources/upload',
        headers: { ...asAdmin, 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload,
      })
      t.equal(uploaded.statusCode, 200, 'C31: 200, with an id')
      const { id } = uploaded.json()
      t.match(id, /^[0-9a-f-]{36}$/)
      const listed = await get('/api/resources/')
      t.equal(listed.statusCode, 200, 'C30, A21')
      t.ok(
        (listed.json() as { id: string }[]).some((r) => r.id === id),
        'a bare array holding it',
      )
      t.equal(
        (await app.inject({ method: 'DELETE', url: `/api/resources/${id}`, headers: asAdmin })).statusCode,
        200,
        'C32',
      )
      t.equal((await get('/api/member/events')).statusCode, 200, 'the member calendar (F31) is served')
    },
  )

  await t.test('a race on the club’s decide: 20 admins at once, one decision', async (t) => {
    const email = uniqueEmail('race')
    const signed = (await post('/api/auth/signup', { email, password: PASSWORD, full_name: 'Race' }, {})).json()
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(`/api/admin/approval-requests/${signed.approval_request_id}/decide`, {
          decision: i % 2 ? 'approved' : 'rejected',
          approved_role: null,
          rejection_reason: null,
        }),
      ),
    )
    const statuses = answers.map((a) => a.statusCode)
    t.equal(statuses.filter((s) => s === 200).length, 1, 'one winner')
    t.equal(statuses.filter((s) => s === 409).length, 19, 'the rest already_decided')
  })
})
