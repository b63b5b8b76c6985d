import t, { type Test } from 'tap'
import { buildApp } from '../../../src/api/app'
import type { App } from '../../../src/api/types'
import { createEvent, holdFeed, issueQr, mark } from '../../helpers/attendance'
import { adminSession, bearer, member } from '../../helpers/identity'
import { testApp, testRuntime } from '../../helpers/runtime'

/**
 * Logging out ends the session's access tokens at once, on every API process:
 * the process that appends the revocation knows it before it answers, every
 * other one hears of it by NOTIFY (whatever transaction holds the feed back
 * elsewhere in the cluster), the feed backs both up, and a process started
 * later looks up the sessions of tokens issued before it listened.
 */
const NO_LIMITS = { RATE_LIMIT_ENABLED: 'false' }

async function secondProcess(t: Test, first: Awaited<ReturnType<typeof testApp>>): Promise<App> {
  const runtime = await testRuntime(t, {
    role: 'api',
    databaseUrl: first.runtime.config.databaseUrl,
    redisPrefix: first.runtime.config.redisPrefix,
    env: NO_LIMITS,
  })
  const app = await buildApp(runtime)
  t.teardown(() => app.close())
  return app
}

const me = (app: App, token: string) => app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) })
const logout = (app: App, s: { access_token: string; refresh_token: string }) =>
  app.inject({
    method: 'POST',
    url: '/api/auth/logout',
    headers: bearer(s.access_token),
    payload: { refresh_token: s.refresh_token },
  })

/** ms until `app` refuses `token` with 401 session_revoked (polling every 5 ms), or -1 after `withinMs` */
async function refusedAfter(app: App, token: string, withinMs = 2000): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < withinMs) {
    const res = await me(app, token)
    if (res.statusCode === 401 && res.json().code === 'session_revoked') return Date.now() - started
    await new Promise((r) => setTimeout(r, 5))
  }
  return -1
}

t.test('logout ends the access token at once, here and on another process', async (t) => {
  const a = await testApp(t, { env: NO_LIMITS })
  const appB = await secondProcess(t, a)
  const admin = await adminSession(a.app, a.runtime)
  const ada = await member(a.app, a.runtime, admin)
  const grace = await member(a.app, a.runtime, admin)
  t.equal((await me(appB, ada.access_token)).statusCode, 200, 'process B knows the token')

  t.equal((await logout(a.app, ada)).statusCode, 204)
  const here = await me(a.app, ada.access_token)
  t.equal(here.statusCode, 401, 'the process that logged out refuses it on the very next request')
  t.equal(here.json().code, 'session_revoked', 'with a code saying why')
  const elsewhere = await refusedAfter(appB, ada.access_token)
  t.ok(elsewhere >= 0 && elsewhere < 1000, `process B refuses it within 1 s (${elsewhere} ms)`)
  t.equal((await me(a.app, grace.access_token)).statusCode, 200, "another member's session is untouched")
})

t.test(
  'a second session of the same member lives on; a feed held back by an open transaction changes nothing',
  async (t) => {
    const a = await testApp(t, { env: NO_LIMITS })
    const appB = await secondProcess(t, a)
    const admin = await adminSession(a.app, a.runtime)
    const phone = await member(a.app, a.runtime, admin)
    const laptop = await a.app
      .inject({ method: 'POST', url: '/api/auth/login', payload: { email: phone.email, password: phone.password } })
      .then((r) => r.json() as { access_token: string; refresh_token: string })

    const release = await holdFeed(a.runtime.config.databaseUrl!)
    t.teardown(release)
    t.equal((await logout(appB, phone)).statusCode, 204, 'logged out through process B')
    const onA = await refusedAfter(a.app, phone.access_token)
    t.ok(onA >= 0 && onA < 1000, `process A refuses it within 1 s while the feed is held (${onA} ms)`)
    t.equal((await me(a.app, laptop.access_token)).statusCode, 200, 'the laptop session still works')
    await release()
  },
)

t.test('the mark route, whose caller is cached, refuses a logged-out token too', async (t) => {
  const a = await testApp(t, { env: NO_LIMITS })
  const admin = await adminSession(a.app, a.runtime)
  const student = await member(a.app, a.runtime, admin)
  const [first, second] = [await createEvent(a.app, admin), await createEvent(a.app, admin)]
  const [qr1, qr2] = [await issueQr(a.app, admin, first.id), await issueQr(a.app, admin, second.id)]
  t.equal((await mark(a.app, student, qr1.payload)).statusCode, 200, 'the caller is now cached')
  t.equal((await logout(a.app, student)).statusCode, 204)
  const res = await mark(a.app, student, qr2.payload)
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'session_revoked')
})

t.test('a refresh token replayed by a thief ends the family’s access tokens too', async (t) => {
  const a = await testApp(t, { env: NO_LIMITS })
  const admin = await adminSession(a.app, a.runtime)
  const s = await member(a.app, a.runtime, admin)
  const refresh = (token: string) =>
    a.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: token } })
  const child = (await refresh(s.refresh_token)).json()
  t.ok(child.access_token)
  // past the grace window the spent grandparent is a replay
  const grandchild = (await refresh(child.refresh_token)).json()
  t.equal((await refresh(s.refresh_token)).statusCode, 401, 'the replay is refused')
  for (const token of [s.access_token, child.access_token, grandchild.access_token])
    t.equal((await me(a.app, token)).json().code, 'session_revoked', 'every access token of the family is refused')
})

t.test('deactivation ends the access token at once, here and on another process', async (t) => {
  const a = await testApp(t, { env: NO_LIMITS })
  const appB = await secondProcess(t, a)
  const admin = await adminSession(a.app, a.runtime)
  const s = await member(a.app, a.runtime, admin)
  t.equal((await me(appB, s.access_token)).statusCode, 200)
  const res = await a.app.inject({
    method: 'POST',
    url: `/api/admin/users/${s.user.id}/deactivate`,
    headers: bearer(admin.access_token),
    payload: {},
  })
  t.equal(res.statusCode, 204)
  for (const [name, app] of [
    ['A', a.app],
    ['B', appB],
  ] as const) {
    const after = await me(app, s.access_token)
    t.equal(after.statusCode, 401, `process ${name}: refused on the next request`)
    t.equal(after.json().code, 'unauthorized', `process ${name}: the account, not the session, is gone`)
  }
})

t.test('a process started after the logout refuses a token issued before it listened', async (t) => {
  const a = await testApp(t, { env: NO_LIMITS })
  const admin = await adminSession(a.app, a.runtime)
  const [gone, kept] = [await member(a.app, a.runtime, admin), await member(a.app, a.runtime, admin)]
  t.equal((await logout(a.app, gone)).statusCode, 204)
  const late = await secondProcess(t, a)
  const res = await me(late, gone.access_token)
  t.equal(res.statusCode, 401, 'the late process looked the session up')
  t.equal(res.json().code, 'session_revoked')
  t.equal((await me(late, kept.access_token)).statusCode, 200, 'a live session from before it started works')
})
