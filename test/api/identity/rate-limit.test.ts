import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import type { App } from '../../../src/api/types'
import { loginStream } from '../../../src/domain/identity/login-events'
import { userIdForEmail } from '../../../src/domain/identity/user-events'
import { PASSWORD, uniqueEmail } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'

/** Rate limits on the auth routes (docs/architecture.md §8): 429 `rate_limited` with Retry-After. */
const LIMITS = {
  RATE_LIMIT_LOGIN_PER_EMAIL: '3',
  RATE_LIMIT_LOGIN_PER_IP: '5',
  RATE_LIMIT_SIGNUP_PER_IP: '2',
  RATE_LIMIT_REFRESH_PER_IP: '3',
}

const ip = (n: number) => `10.20.30.${n}`
const loginFrom = (app: App, remoteAddress: string, email: string) =>
  app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { email, password: PASSWORD } })
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

t.test('the 4th login for one email within the window gets 429 with Retry-After, from whichever IP', async (t) => {
  const { app, runtime } = await shared
  const email = uniqueEmail('target')
  for (let i = 1; i <= 3; i++) {
    const res = await loginFrom(app, ip(i), i === 2 ? email.toUpperCase() : email)
    t.equal(res.statusCode, 401, `login ${i} is answered`)
  }
  assertLimited(
    t,
    await loginFrom(app, ip(4), ` ${email.toUpperCase()} `),
    60,
    'the 4th, from a fresh IP and spelt differently, is refused',
  )
  t.equal((await loginFrom(app, ip(4), uniqueEmail())).statusCode, 401, 'another email from that IP is still answered')

  const attempts = await runtime.store.readStream(loginStream(userIdForEmail(email)))
  t.equal(
    attempts.filter((e) => e.type === 'LoginFailed').length,
    3,
    'the refused login never reached the password check',
  )
})

t.test('login is limited per IP, whatever the emails', async (t) => {
  const { app } = await shared
  for (let i = 1; i <= 5; i++) t.equal((await loginFrom(app, ip(11), uniqueEmail())).statusCode, 401)
  assertLimited(t, await loginFrom(app, ip(11), uniqueEmail()), 60, 'the 6th login from one IP is refused')
  t.equal((await loginFrom(app, ip(12), uniqueEmail())).statusCode, 401, 'another IP is still answered')
})

t.test('signup is limited per IP', async (t) => {
  const { app } = await shared
  t.equal((await signupFrom(app, ip(21))).statusCode, 202)
  t.equal((await signupFrom(app, ip(21))).statusCode, 202)
  assertLimited(t, await signupFrom(app, ip(21)), 60, 'the 3rd signup from one IP is refused')
  t.equal((await signupFrom(app, ip(22))).statusCode, 202, 'another IP may still sign up')
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
  t.equal((await loginFrom(second.app, ip(42), email)).statusCode, 401)
  t.equal((await loginFrom(first.app, ip(43), email)).statusCode, 401)
  assertLimited(t, await loginFrom(second.app, ip(44), email), 60, 'the 4th login, on the other process, is refused')
  assertLimited(t, await loginFrom(first.app, ip(45), email), 60, 'and on the first one too')
})

t.test('a window that has passed lets requests through again', async (t) => {
  const { app } = await testApp(t, { env: { ...LIMITS, RATE_LIMIT_WINDOW_SECONDS: '2' } })
  const email = uniqueEmail()
  // at once, so that all four land in one window however slow the machine
  const burst = await Promise.all([1, 2, 3, 4].map((i) => loginFrom(app, ip(i), email)))
  t.equal(burst.filter((r) => r.statusCode === 401).length, 3, 'three are answered')
  const limited = burst.filter((r) => r.statusCode === 429)
  t.equal(limited.length, 1, 'one is refused')
  assertLimited(t, limited[0]!, 2)
  await new Promise((r) => setTimeout(r, 2_200))
  t.equal((await loginFrom(app, ip(5), email)).statusCode, 401, 'answered again in the next window')
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
    Array(4).fill(202),
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
  for (let i = 1; i <= 3; i++) t.equal((await loginFrom(app, ip(i), email)).statusCode, 401)
  assertLimited(t, await loginFrom(app, ip(4), email))
  t.equal((await signupFrom(app, ip(9))).statusCode, 202)
  t.equal((await signupFrom(app, ip(9))).statusCode, 202)
  assertLimited(t, await signupFrom(app, ip(9)))
})
