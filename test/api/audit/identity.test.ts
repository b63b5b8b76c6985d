import t, { type Test as Tap } from 'tap'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, PASSWORD, projected, signup, uniqueEmail } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { client, rowsOf } from '../../helpers/audit'

/**
 * Every identity action leaves exactly its audit rows, each with the action's
 * OWASP name, the actor, the outcome and the client's address and user agent.
 */
type Row = Awaited<ReturnType<typeof rowsOf>>[number]
const actions = (rows: Row[]) => rows.map((r) => r.action).sort()

t.test('signup, decision, login, refresh, reuse, logout and refusals each leave their audit rows', async (t) => {
  const { app, runtime } = await testApp(t, { env: { REFRESH_REUSE_GRACE_SECONDS: '0' } })
  const admin = await adminSession(app, runtime)
  const post = (url: string, c: ReturnType<typeof client>, payload: object, token?: string) =>
    app.inject({
      method: 'POST',
      url,
      payload,
      remoteAddress: c.ip,
      headers: { ...c.headers, ...(token ? bearer(token) : {}) },
    })
  const check = (t: Tap, row: Row | undefined, c: ReturnType<typeof client>, want: Partial<Row>) =>
    t.match(row, { ip: c.ip, user_agent: c.user_agent, request_id: c.request_id, ...want })

  // signup
  const email = uniqueEmail('audit')
  const c1 = client('signup')
  const s = await post('/api/auth/signup', c1, { email, password: PASSWORD, full_name: 'Ada Audit' })
  t.equal(s.statusCode, 200)
  const userId = s.json().user.id as string
  let rows = await rowsOf(runtime, c1.request_id)
  // (and since issue 13, the entry that files the request under its id: domain/identity/indexes.ts)
  t.same(actions(rows), ['authn_signup_indexed', 'authn_signup_requested'], 'signup: one row, and its index entry')
  const signupRow = rows.find((r) => r.action === 'authn_signup_requested')
  check(t, signupRow, c1, { outcome: 'success', actor_id: userId, target_type: 'user', target_id: userId })
  t.match(signupRow!.details, { email, full_name: 'Ada Audit', password_hash: '[redacted]' })
  check(
    t,
    rows.find((r) => r.action === 'authn_signup_indexed'),
    c1,
    { target_type: 'user', target_id: userId },
  )

  // approval
  await projected(runtime, s.json().approval_request.id)
  const c2 = client('approve')
  t.equal(
    (
      await post(
        `/api/admin/approval-requests/${s.json().approval_request.id}/decide`,
        c2,
        { decision: 'approve' },
        admin.access_token,
      )
    ).statusCode,
    200,
  )
  rows = await rowsOf(runtime, c2.request_id)
  t.same(actions(rows), ['user_approved'], 'decision: one row')
  check(t, rows[0], c2, { outcome: 'success', actor_id: admin.user.id, actor_role: 'admin', target_id: userId })

  // login ok: the session it starts is a row of its own
  const c3 = client('login')
  const login = await post('/api/auth/login', c3, { email, password: PASSWORD })
  t.equal(login.statusCode, 200)
  rows = await rowsOf(runtime, c3.request_id)
  t.same(
    actions(rows),
    ['authn_login_success', 'authn_session_indexed', 'authn_session_started'],
    'login: one login row (and the session it started, and its index entry)',
  )
  check(
    t,
    rows.find((r) => r.action === 'authn_login_success'),
    c3,
    { outcome: 'success', actor_id: userId, actor_role: 'student', target_id: userId },
  )

  // login failures: a wrong password names the account; an unknown email names nobody
  const c4 = client('login-fail')
  t.equal((await post('/api/auth/login', c4, { email, password: 'Wrong-Horse-7-Battery' })).statusCode, 401)
  rows = await rowsOf(runtime, c4.request_id)
  t.same(actions(rows), ['authn_login_fail'])
  check(t, rows[0], c4, {
    outcome: 'failure',
    actor_id: userId,
    target_id: userId,
    details: { reason: 'wrong_password' },
  })
  const c5 = client('login-unknown')
  t.equal((await post('/api/auth/login', c5, { email: uniqueEmail('nobody'), password: PASSWORD })).statusCode, 401)
  rows = await rowsOf(runtime, c5.request_id)
  t.same(actions(rows), ['authn_login_fail'])
  check(t, rows[0], c5, { outcome: 'failure', actor_id: null, details: { reason: 'unknown_email' } })

  // refresh, then reuse of a spent token
  const r1 = login.json().refresh_token as string
  const c6 = client('refresh')
  const r2 = await post('/api/auth/refresh', c6, { refresh_token: r1 })
  t.equal(r2.statusCode, 200)
  rows = await rowsOf(runtime, c6.request_id)
  t.same(actions(rows), ['authn_token_refreshed'])
  check(t, rows[0], c6, {
    outcome: 'success',
    actor_id: userId,
    actor_role: 'student',
    target_type: 'session',
    details: { refresh_token_hash: '[redacted]', previous_token_hash: '[redacted]' },
  })
  t.equal(
    (await post('/api/auth/refresh', client('refresh-again'), { refresh_token: r2.json().refresh_token })).statusCode,
    200,
  )
  const c7 = client('reuse')
  t.equal((await post('/api/auth/refresh', c7, { refresh_token: r1 })).statusCode, 401, 'a spent token is refused')
  rows = await rowsOf(runtime, c7.request_id)
  t.same(actions(rows), ['authn_token_reuse'], 'reuse detection: one row')
  check(t, rows[0], c7, { outcome: 'failure', actor_id: userId, details: { reason: 'refresh_token_reuse' } })

  // logout of a fresh session
  const again = await post('/api/auth/login', client('login-2'), { email, password: PASSWORD })
  const c8 = client('logout')
  t.equal(
    (await post('/api/auth/logout', c8, { refresh_token: again.json().refresh_token }, again.json().access_token))
      .statusCode,
    204,
  )
  rows = await rowsOf(runtime, c8.request_id)
  t.same(actions(rows), ['authn_logout'])
  check(t, rows[0], c8, { outcome: 'success', actor_id: userId, actor_role: 'student' })

  // a student on an admin route (signed in again: the logout ended that session's access token), and nobody at all
  const live = await post('/api/auth/login', client('login-3'), { email, password: PASSWORD })
  const c9 = client('denied')
  t.equal(
    (
      await app.inject({
        method: 'GET',
        url: '/api/admin/audit-logs?limit=5',
        remoteAddress: c9.ip,
        headers: { ...c9.headers, ...bearer(live.json().access_token) },
      })
    ).statusCode,
    403,
  )
  rows = await rowsOf(runtime, c9.request_id)
  t.same(actions(rows), ['authz_fail'], 'AccessDenied: one row')
  check(t, rows[0], c9, {
    outcome: 'failure',
    actor_id: userId,
    actor_role: 'student',
    target_type: 'route',
    target_id: 'GET /api/admin/audit-logs',
    details: { reason: 'forbidden', required: 'admin' },
  })
  const c10 = client('anonymous')
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/admin/event-stream', remoteAddress: c10.ip, headers: c10.headers }))
      .statusCode,
    401,
  )
  rows = await rowsOf(runtime, c10.request_id)
  t.same(actions(rows), ['authz_fail'])
  check(t, rows[0], c10, { outcome: 'failure', actor_id: null, details: { reason: 'unauthorized' } })

  // a rejection ends with its own row
  const other = await signup(app)
  await projected(runtime, other.approval_request.id)
  const c11 = client('reject')
  t.equal(
    (
      await post(
        `/api/admin/approval-requests/${other.approval_request.id}/decide`,
        c11,
        { decision: 'reject', reason: 'not a member' },
        admin.access_token,
      )
    ).statusCode,
    200,
  )
  rows = await rowsOf(runtime, c11.request_id)
  t.same(actions(rows), ['user_rejected'])
  check(t, rows[0], c11, {
    outcome: 'success',
    actor_id: admin.user.id,
    target_id: other.user.id,
    details: { reason: 'not a member' },
  })
})

t.test('an approval that times out is a user_approval_expired row by the system', async (t) => {
  const { app, runtime } = await testApp(t, {
    env: { APPROVAL_TIMEOUT_MINUTES: '0.01', APPROVAL_SWEEP_SECONDS: '0.2' },
  })
  const s = await signup(app)
  let row: Row | undefined
  await eventually(
    async () =>
      !!(row = await runtime.db.kysely
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'user_approval_expired')
        .where('target_id', '=', s.user.id)
        .executeTakeFirst()),
    20_000,
  )
  t.match(row, {
    outcome: 'success',
    actor_id: null,
    actor_role: 'system',
    ip: null,
    user_agent: null,
    target_type: 'user',
    details: { request_id: s.approval_request.id },
  })
  const all = await runtime.db.kysely
    .selectFrom('audit_log')
    .select('action')
    .where('target_id', '=', s.user.id)
    .execute()
  t.same(
    all.map((r) => r.action).sort(),
    ['authn_signup_indexed', 'authn_signup_requested', 'user_approval_expired'],
    'exactly one expiry row',
  )
})
