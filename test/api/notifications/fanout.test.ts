import t from 'tap'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, login, member, projected, signup } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { aboutUser, arrived, caughtUp, list, rowsOf } from '../../helpers/notifications'

const NO_LIMITS = { RATE_LIMIT_ENABLED: 'false' }

t.test('a signup notifies every admin approved at that moment, and nobody else', async (t) => {
  const { app, runtime } = await testApp(t, { env: NO_LIMITS })
  const root = await adminSession(app, runtime)
  const second = await adminSession(app, runtime)
  const demoted = await adminSession(app, runtime)
  const gone = await adminSession(app, runtime)
  const student = await member(app, runtime, root, 'student')
  const promoted = await member(app, runtime, root, 'student')
  const approvedAdmin = await member(app, runtime, root, 'admin')
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/api/admin/users/${promoted.user.id}/role`,
        headers: bearer(root.access_token),
        payload: { role: 'admin' },
      })
    ).statusCode,
    204,
  )
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/api/admin/users/${demoted.user.id}/role`,
        headers: bearer(root.access_token),
        payload: { role: 'student' },
      })
    ).statusCode,
    204,
  )
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/api/admin/users/${gone.user.id}/deactivate`,
        headers: bearer(root.access_token),
        payload: {},
      })
    ).statusCode,
    204,
  )

  const s = await signup(app, undefined, undefined, 'Katherine Johnson')
  const admins = { root, second, promoted: await login(app, promoted.email), approvedAdmin }
  for (const [name, session] of Object.entries(admins)) {
    const n = await arrived(app, session.access_token, aboutUser(s.user.id))
    t.equal(n.type, 'signup_requested', `${name} is told of the signup`)
    t.match(n.title, /Katherine Johnson/)
    t.equal(n.data.request_id, s.approval_request.id)
    t.equal(n.read_at, null)
    t.equal(
      (await list(app, session.access_token)).items.filter(aboutUser(s.user.id)).length,
      1,
      `${name}: exactly once`,
    )
  }
  await caughtUp(runtime)
  const demotedNow = await login(app, demoted.user.email)
  t.equal(
    (await list(app, demotedNow.access_token)).items.filter(aboutUser(s.user.id)).length,
    0,
    'a demoted admin is not told',
  )
  t.equal(
    (await list(app, student.access_token)).items.filter((n) => n.type === 'signup_requested').length,
    0,
    'a student is never told of signups',
  )
  t.same(
    (await rowsOf(runtime, gone.user.id)).filter((r) => (r.data as { user_id?: string }).user_id === s.user.id),
    [],
    'a deactivated admin is not told',
  )
  t.notOk(
    (await list(app, root.access_token, 'limit=100')).items.some(
      (n) => n.type === 'signup_requested' && n.data.user_id === second.user.id,
    ),
    'an admin the operator bootstrapped is nobody’s signup to decide',
  )
})

t.test('the member is told of approval and of rejection', async (t) => {
  const { app, runtime } = await testApp(t, { env: NO_LIMITS })
  const admin = await adminSession(app, runtime)

  const approved = await member(app, runtime, admin, 'student')
  const welcome = await arrived(app, approved.access_token, (n) => n.type === 'approval_approved')
  t.equal(welcome.data.request_id, approved.approval_request.id)
  t.equal(welcome.data.role, 'student')
  t.equal((await list(app, approved.access_token)).unread_count, 1, 'the approval is the member’s one notification')

  const rejected = await signup(app)
  await projected(runtime, rejected.approval_request.id)
  await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${rejected.approval_request.id}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'reject', reason: 'not a student here' },
  })
  await eventually(async () => (await rowsOf(runtime, rejected.user.id)).length === 1)
  const [no] = await rowsOf(runtime, rejected.user.id)
  t.equal(no!.type, 'approval_rejected')
  t.match(no!.body, /not a student here/, 'the reason is given')
})

t.test('the member is told when their request expires undecided', async (t) => {
  // a 3-second deadline and a fast sweep; no admin is needed for nobody to decide
  const { app, runtime } = await testApp(t, {
    env: { ...NO_LIMITS, APPROVAL_TIMEOUT_MINUTES: '0.05', APPROVAL_SWEEP_SECONDS: '0.5' },
  })
  const lapsed = await signup(app)
  await eventually(async () => (await rowsOf(runtime, lapsed.user.id)).length === 1, 15_000, 100)
  const [late] = await rowsOf(runtime, lapsed.user.id)
  t.equal(late!.type, 'approval_expired')
  t.equal((late!.data as { request_id: string }).request_id, lapsed.approval_request.id)
})
