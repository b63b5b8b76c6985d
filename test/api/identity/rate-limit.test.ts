import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import type { App } from '../../../src/api/types'
import { loginStream } from '../../../src/domain/identity/login-events'
import { userIdForEmail } from '../../../src/domain/identity/user-events'
import { PASSWORD, adminSession, member, uniqueEmail } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'

/**
 * Rate limits on the auth routes (docs/architecture.md §8): 429 `rate_limited` with Retry-After.
 * Login counts per IP, per email from one IP (so a stranger cannot lock a member out) and,
 * over a longer window, per email from anywhere (so many IPs together still guess little).
 */
const LIMITS = {
  RATE_LIMIT_LOGIN_PER_EMAIL: '3',
  RATE_LIMIT_LOGIN_PER_IP: '5',
  RATE_LIMIT_LOGIN_PER_EMAIL_GLOBAL: '8',
  RATE_LIMIT_LOGIN_GLOBAL_WINDOW_SECONDS: '60',
  RATE_LIMIT_SIGNUP_PER_IP: '2',
  RATE_LIMIT_REFRESH_PER_IP: '3',
}

const ip = (n: number) => `10.20.30.${n}`
const loginFrom = (app: App, remoteAddress: string, email: string, password = 'Not-the-password-9') =>
  app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { email, password } })
const signupFrom = (app: App, remoteAddress: string) =>
  app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    remoteAddress,
    payload: { email: uniqueEmail(), password: PASSWORD, full_name: 'Rate Tester' },
  })
// well-formed but unknown: the route answers 401 unless the limit answers first
const bogusRefresh = `${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}.${'A'.repeat(43)}`
const refreshFrom = (app: App, remoteAddress: string) =>
  app.inject({ method: 'POST', url: '/api/auth/refresh', remoteAddress, payload: { refresh_token: bogusRefresh } })

function assertLimited(
  t: Test,
  res: LightMyRequestResponse,
  windowSeconds = 60,
  what = 'refused with 429 rate_limited',
) {
  t.equal(res.statusCode, 429, what)
  t.equal(res.json().code, 'rate_limited')
  const retryAfter = String(res.headers['retry-after'])
  t.match(retryAfter, /^\d+$/, 'Retry-After is whole seconds')
  t.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= windowSeconds, `Retry-After ${retryAfter} is within the window`)
}

// one app for the limits that differ only in their keys (emails and IPs are fresh in each test)
const shared = testApp(t, { env: LIMITS })

t.test('the 4th login for one email from one IP within the window gets 429 with Retry-After', async (t) => {
  const { app, runtime } = await shared
  const email = uniqueEmail('target')
  for (let i = 1; i <= 3; i++) {
    const res = await loginFrom(app, ip(1), i === 2 ? email.toUpperCase() : email)
    t.equal(res.statusCode, 401, `login ${i} is answered`)
  }
  assertLimited(
    t,
    await loginFrom(app, ip(1), ` ${email.toUpperCase()} `),
    60,
    'the 4th, spelt differently, is refused',
  )
  t.equal((await loginFrom(app, ip(1), uniqueEmail())).statusCode, 401, 'another email from that IP is still answered')
  t.equal((await loginFrom(app, ip(2), email)).statusCode, 401, 'that email from another IP is still answered')

  const attempts = await runtime.store.readStream(loginStream(userIdForEmail(email)))
  t.equal(
    attempts.filter((e) => e.type === 'LoginFailed').length,
    4,
    'the refused login never reached the password check',
  )
})

t.test("an attacker's failed logins from one IP do not lock the member out of another", async (t) => {
  const { app, runtime } = await shared
  const admin = await adminSession(app, runtime)
  const victim = await member(app, runtime, admin)
  const attacker = ip(51)
  const tries = await Promise.all(Array.from({ length: 20 }, () => loginFrom(app, attacker, victim.email)))
  t.equal(tries.filter((r) => r.statusCode === 401).length, 3, 'three guesses are answered')
  t.equal(tries.filter((r) => r.statusCode === 429).length, 17, 'the rest are refused')
  const own = await loginFrom(app, ip(52), victim.email, PASSWORD)
  t.equal(own.statusCode, 200, 'the member still logs in from their own address')
  t.equal((await loginFrom(app, attacker, victim.email, PASSWORD)).statusCode, 429, 'the attacker stays refused')
})

t.test('behind a trusted proxy, the address it forwards is the one counted', async (t) => {
  const { app, runtime } = await testApp(t, {
    env: { ...LIMITS, RATE_LIMIT_LOGIN_PER_IP: '100', TRUST_PROXY: '10.0.0.2' },
  })
  const admin = await adminSession(app, runtime)
  const victim = await member(app, runtime, admin)
  // every request reaches the service from the proxy's address
  const via = (client: string, password?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '10.0.0.2',
      headers: { 'x-forwarded-for': client },
      payload: { email: victim.email, password: password ?? 'Not-the-password-9' },
    })
  for (let i = 0; i < 10; i++) await via('198.51.100.9')
  assertLimited(t, await via('198.51.100.9'), 60, "the attacker's address is limited")
  const own = await via('203.0.113.20', PASSWORD)
  t.equal(own.statusCode, 200, 'the member, through the same proxy, is not', { body: own.body })
})

t.test('per email from anywhere, a slower global ceiling bounds a distributed guess', async (t) => {
  const { app, runtime } = await shared
  const email = uniqueEmail('target')
  // two guesses from each of 10 addresses: every address stays under its own limit of 3
  const answered: number[] = []
  for (let i = 1; i <= 10; i++)
    for (let k = 0; k < 2; k++) answered.push((await loginFrom(app, ip(100 + i), email)).statusCode)
  t.equal(answered.filter((s) => s === 401).length, 8, 'exactly the ceiling of 8 guesses are answered')
  t.same(answered.slice(8), Array(12).fill(429), 'every later one is refused, whichever the address')
  assertLimited(t, await loginFrom(app, ip(200), email), 60, 'a fresh address too')
  const attempts = await runtime.store.readStream(loginStream(userIdForEmail(email)))
  t.equal(attempts.filter((e) => e.type === 'LoginFailed').length, 8, 'only 8 passwords were checked')
})

t.test('login is limited per IP, whatever the emails', async (t) => {
  const { app } = await shared
  for (let i = 1; i <= 5; i++) t.equal((await loginFrom(app, ip(11), uniqueEmail())).statusCode, 401)
  assertLimited(t, await loginFrom(app, ip(11), uniqueEmail()), 60, 'the 6th login from one IP is refused')
  t.equal((await loginFrom(app, ip(12), uniqueEmail())).statusCode, 401, 'another IP is still answered')
})

t.test('signup is limited per IP', async (t) => {
  const { app } = await shared
  t.equal((await signupFrom(app, ip(21))).statusCode, 200)
  t.equal((await signupFrom(app, ip(21))).statusCode, 200)
  assertLimited(t, await signupFrom(app, ip(21)), 60, 'the 3rd signup from one IP is refused')
  t.equal((await signupFrom(app, ip(22))).statusCode, 200, 'another IP may still sign up')
})

t.test('refresh is limited per IP', async (t) => {
  const { app } = await shared
  for (let i = 1; i <= 3; i++) {
    const res = await refreshFrom(app, ip(31))
    t.equal(res.statusCode, 401)
    t.equal(res.json().code, 'invalid_refresh_token')
  }
  assertLimited(t, await refreshFrom(app, ip(31)), 60, 'the 4th refresh from one IP is refused')
  t.equal((await refreshFrom(app, ip(32))).statusCode, 401, 'another IP is still answered')
})

t.test('two API processes on one Redis count together', async (t) => {
  const first = await shared
  const second = await testApp(t, {
    role: 'api',
    databaseUrl: first.runtime.config.databaseUrl,
    redisPrefix: first.runtime.config.redisPrefix,
    env: LIMITS,
  })
  t.equal(second.runtime.config.redisPrefix, first.runtime.config.redisPrefix)
  const email = uniqueEmail('shared')
  t.equal((await loginFrom(first.app, ip(41), email)).statusCode, 401)
  t.equal((await loginFrom(second.app, ip(41), email)).statusCode, 401)
  t.equal((await loginFrom(first.app, ip(41), email)).statusCode, 401)
  assertLimited(t, await loginFrom(second.app, ip(41), email), 60, 'the 4th login, on the other process, is refused')
  assertLimited(t, await loginFrom(first.app, ip(41), email), 60, 'and on the first one too')
  const spread = uniqueEmail('spread')
  for (let i = 0; i < 8; i++) await loginFrom(i % 2 ? first.app : second.app, ip(60 + i), spread)
  assertLimited(t, await loginFrom(second.app, ip(70), spread), 60, 'the global ceiling, too, counts both processes')
})

t.test('a window that has passed lets requests through again', async (t) => {
  const { app } = await testApp(t, {
    env: { ...LIMITS, RATE_LIMIT_WINDOW_SECONDS: '2', RATE_LIMIT_LOGIN_GLOBAL_WINDOW_SECONDS: '2' },
  })
  const email = uniqueEmail()
  // at once, so that all four land in one window however slow the machine
  const burst = await Promise.all([1, 2, 3, 4].map(() => loginFrom(app, ip(1), email)))
  t.equal(burst.filter((r) => r.statusCode === 401).length, 3, 'three are answered')
  const limited = burst.filter((r) => r.statusCode === 429)
  t.equal(limited.length, 1, 'one is refused')
  assertLimited(t, limited[0]!, 2)
  await new Promise((r) => setTimeout(r, 2_200))
  t.equal((await loginFrom(app, ip(1), email)).statusCode, 401, 'answered again in the next window')
})

t.test('RATE_LIMIT_ENABLED=false turns every limit off', async (t) => {
  const ones = {
    RATE_LIMIT_LOGIN_PER_EMAIL: '1',
    RATE_LIMIT_LOGIN_PER_IP: '1',
    RATE_LIMIT_SIGNUP_PER_IP: '1',
    RATE_LIMIT_REFRESH_PER_IP: '1',
  }
  const { app } = await testApp(t, { env: { ...ones, RATE_LIMIT_ENABLED: 'false' } })
  const email = uniqueEmail()
  const logins = await Promise.all(Array.from({ length: 5 }, () => loginFrom(app, ip(1), email)))
  t.same(
    logins.map((r) => r.statusCode),
    Array(5).fill(401),
    'login: never limited',
  )
  const signups = await Promise.all(Array.from({ length: 4 }, () => signupFrom(app, ip(1))))
  t.same(
    signups.map((r) => r.statusCode),
    Array(4).fill(200),
    'signup: never limited',
  )
  const refreshes = await Promise.all(Array.from({ length: 5 }, () => refreshFrom(app, ip(1))))
  t.same(
    refreshes.map((r) => r.statusCode),
    Array(5).fill(401),
    'refresh: never limited',
  )
})

t.test('embedded mode, without Redis, limits in memory', async (t) => {
  const { app, runtime } = await testApp(t, { redis: false, env: LIMITS })
  t.equal(runtime.redis, undefined)
  const email = uniqueEmail()
  for (let i = 1; i <= 3; i++) t.equal((await loginFrom(app, ip(1), email)).statusCode, 401)
  assertLimited(t, await loginFrom(app, ip(1), email))
  t.equal((await loginFrom(app, ip(2), email)).statusCode, 401, 'another address is still answered')
  t.equal((await signupFrom(app, ip(9))).statusCode, 200)
  t.equal((await signupFrom(app, ip(9))).statusCode, 200)
  assertLimited(t, await signupFrom(app, ip(9)))
})
