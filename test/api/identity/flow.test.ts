import t from 'tap'
import { adminSession, bearer, login, PASSWORD, projected, signup, uniqueEmail } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'

t.test('the member journey, end to end', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)

  const s = await signup(app, uniqueEmail(), PASSWORD, 'Grace Hopper')
  t.equal(s.user.status, 'pending')
  t.equal(s.approval_request.status, 'pending')
  t.ok(Date.parse(s.approval_request.expires_at) > Date.now() + 170_000, 'expires about 3 minutes from now')
  t.notOk('password_hash' in s.user)

  const pending = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: s.email, password: PASSWORD },
  })
  t.equal(pending.statusCode, 403)
  t.equal(pending.json().code, 'approval_pending')
  t.equal(pending.json().approval_request.id, s.approval_request.id)

  const wrong = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: s.email, password: 'Wrong-Horse-7-Battery' },
  })
  t.equal(wrong.statusCode, 401, 'a wrong password on a pending account says nothing of the approval')
  t.equal(wrong.json().code, 'invalid_credentials')

  await projected(runtime, s.approval_request.id)
  const list = await app.inject({
    method: 'GET',
    url: '/api/admin/approval-requests?status=pending',
    headers: bearer(admin.access_token),
  })
  t.equal(list.statusCode, 200)
  t.ok(list.json().items.some((r: { id: string }) => r.id === s.approval_request.id))

  const decided = await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'approve' },
  })
  t.equal(decided.statusCode, 200)
  t.equal(decided.json().approval_request.status, 'approved')
  t.equal(decided.json().approval_request.role, 'student')

  const again = await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'reject', reason: 'x' },
  })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'already_decided')

  const loginRes = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: s.email.toUpperCase(), password: PASSWORD },
  })
  t.equal(loginRes.statusCode, 200, 'the email is matched case-insensitively')
  t.equal(loginRes.headers['cache-control'], 'no-store')
  const tokens = loginRes.json()
  t.equal(tokens.token_type, 'Bearer')
  t.equal(tokens.user.role, 'student')

  const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(tokens.access_token) })
  t.equal(me.statusCode, 200)
  // the user itself, as the club's frontend reads it on every page load
  t.match(me.json(), { email: s.email, role: 'student', full_name: String, is_active: true, approval_status: null })

  const refreshed = await app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    payload: { refresh_token: tokens.refresh_token },
  })
  t.equal(refreshed.statusCode, 200)
  t.equal(refreshed.headers['cache-control'], 'no-store')
  t.not(refreshed.json().refresh_token, tokens.refresh_token, 'rotated')

  const out = await app.inject({
    method: 'POST',
    url: '/api/auth/logout',
    headers: bearer(tokens.access_token),
    payload: { refresh_token: refreshed.json().refresh_token },
  })
  t.equal(out.statusCode, 204)
  const dead = await app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    payload: { refresh_token: refreshed.json().refresh_token },
  })
  t.equal(dead.statusCode, 401)
  t.equal(dead.json().code, 'invalid_refresh_token')
})

t.test('login refusals and their codes', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)

  const unknown = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: uniqueEmail(), password: PASSWORD },
  })
  t.equal(unknown.statusCode, 401)
  t.equal(unknown.json().code, 'invalid_credentials')

  const rejected = await signup(app)
  await projected(runtime, rejected.approval_request.id)
  const r = await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${rejected.approval_request.id}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'reject', reason: 'not a member' },
  })
  t.equal(r.statusCode, 200)
  t.equal(r.json().approval_request.reason, 'not a member')
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: rejected.email, password: PASSWORD },
  })
  t.equal(res.statusCode, 403)
  t.equal(res.json().code, 'approval_rejected')

  const taken = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email: rejected.email, password: PASSWORD, full_name: 'Again' },
  })
  t.equal(taken.statusCode, 409, 'a rejected email stays taken')
  t.equal(taken.json().code, 'email_taken')

  const missing = await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${runtime.sources.uuid()}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'approve' },
  })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'not_found')

  const weak = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email: uniqueEmail(), password: 'password1', full_name: 'Weak' },
  })
  t.equal(weak.statusCode, 400)
  t.equal(weak.json().code, 'weak_password')
  const badEmail = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email: 'not-an-email', password: PASSWORD, full_name: 'X' },
  })
  t.equal(badEmail.statusCode, 400)
  t.equal(badEmail.json().code, 'invalid_email')
})

t.test('a demoted admin loses admin access at once, and their sessions end', async (t) => {
  const { app, runtime } = await testApp(t)
  const root = await adminSession(app, runtime)
  const other = await adminSession(app, runtime)
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/admin/approval-requests', headers: bearer(other.access_token) }))
      .statusCode,
    200,
  )
  const demote = await app.inject({
    method: 'POST',
    url: `/api/admin/users/${other.user.id}/role`,
    headers: bearer(root.access_token),
    payload: { role: 'student' },
  })
  t.equal(demote.statusCode, 204)
  const after = await app.inject({
    method: 'GET',
    url: '/api/admin/approval-requests',
    headers: bearer(other.access_token),
  })
  t.equal(after.statusCode, 403, 'the old access token no longer opens admin routes')
  const refresh = await app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    payload: { refresh_token: other.refresh_token },
  })
  t.equal(refresh.statusCode, 401, 'the session ended')

  const victim = await adminSession(app, runtime)
  await app.inject({
    method: 'POST',
    url: `/api/admin/users/${victim.user.id}/deactivate`,
    headers: bearer(root.access_token),
    payload: {},
  })
  t.equal(
    (await app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(victim.access_token) })).statusCode,
    401,
  )
  const victimRefresh = await app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    payload: { refresh_token: victim.refresh_token },
  })
  t.equal(victimRefresh.statusCode, 401, 'deactivation ended the session too')
  const relogin = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: victim.user.email ?? '', password: PASSWORD },
  })
  t.not(relogin.statusCode, 200)
  void login
})
