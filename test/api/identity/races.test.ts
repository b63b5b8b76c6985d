import { randomUUID } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { SYSTEM_CONTEXT } from '../../../src/commands/context'
import { expireApproval } from '../../../src/commands/identity/approvals'
import { sessionStream } from '../../../src/domain/identity/session'
import { userIdForEmail, userStream } from '../../../src/domain/identity/user-events'
import type { Runtime } from '../../../src/runtime'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, member, PASSWORD, projected, signup, uniqueEmail } from '../../helpers/identity'
import { testApp, testRuntime } from '../../helpers/runtime'

/**
 * Every identity invariant (docs/architecture.md §4) raced by many concurrent requests,
 * counting the winners. Rate limits are off here: they are tested on their own.
 */
const env = { RATE_LIMIT_ENABLED: 'false' }

const typesOf = async (runtime: Runtime, stream: string) => (await runtime.store.readStream(stream)).map((e) => e.type)
const count = (xs: unknown[], x: unknown) => xs.filter((y) => y === x).length
const sessionOf = (refreshToken: string) => sessionStream(refreshToken.slice(0, 36))

/**
 * Runs `race` while every append to the store is held back (an EXCLUSIVE lock
 * on es_streams: reads go on, appends wait), and lets the appends go once at
 * least `atLeast` racers wait on it. Every one of them then appends on the
 * same stale read, so only the store's expected-revision check can stop
 * them: a race that does not depend on how the machine schedules it.
 */
async function heldRace<T>(runtime: Runtime, race: () => Promise<T>, atLeast = 5): Promise<T> {
  const holder = new pg.Client({ connectionString: runtime.config.databaseUrl })
  await holder.connect()
  try {
    await holder.query('BEGIN')
    await holder.query('LOCK TABLE es_streams IN EXCLUSIVE MODE')
    const result = race()
    result.catch(() => undefined) // awaited below; not unhandled while we wait
    const waiting = async () =>
      Number(
        (
          await holder.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = 'es_streams'::regclass`,
          )
        ).rows[0]!.n,
      )
    await eventually(async () => (await waiting()) >= atLeast, 20_000, 50)
    await new Promise((r) => setTimeout(r, 200)) // stragglers join
    await holder.query('ROLLBACK')
    return await result
  } finally {
    await holder.end()
  }
}

// one app and two admins for every race on default settings (each race uses its own emails, requests and sessions)
const shared = (async () => {
  const { app, runtime } = await testApp(t, { env })
  return { app, runtime, admins: [await adminSession(app, runtime), await adminSession(app, runtime)] }
})()

t.test('20 concurrent signups with one email: exactly one is accepted, 19 get email_taken', async (t) => {
  const { app, runtime } = await shared
  const email = uniqueEmail('racer')
  // first appends (no_stream) go through group commit: at most 4 statements
  // wait on the lock, the other racers queue behind them in the process
  const responses = await heldRace(
    runtime,
    () =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          app.inject({
            method: 'POST',
            url: '/api/auth/signup',
            payload: { email: i % 2 ? email.toUpperCase() : email, password: PASSWORD, full_name: `Racer ${i}` },
          }),
        ),
      ),
    4,
  )
  const statuses = responses.map((r) => r.statusCode)
  t.equal(count(statuses, 200), 1, 'one winner')
  t.equal(count(statuses, 409), 19, 'nineteen losers')
  t.same(new Set(responses.filter((r) => r.statusCode === 409).map((r) => r.json().code)), new Set(['email_taken']))

  const types = await typesOf(runtime, userStream(userIdForEmail(email)))
  t.same(types, ['SignupRequested'], 'the user stream holds exactly one SignupRequested')
  const winner = responses.find((r) => r.statusCode === 200)!.json()
  const [stored] = await runtime.store.readStream(userStream(userIdForEmail(email)))
  t.equal(
    (stored!.data as { request_id: string }).request_id,
    winner.approval_request.id,
    'the stored request is the one the winner was told about',
  )
})

t.test(
  '20 concurrent decisions on one request from two admins: exactly one wins, the rest get already_decided',
  async (t) => {
    const { app, runtime, admins } = await shared
    const s = await signup(app)
    await projected(runtime, s.approval_request.id)

    const responses = await heldRace(runtime, () =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          app.inject({
            method: 'POST',
            url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
            headers: bearer(admins[i % 2]!.access_token),
            payload: i % 3 === 0 ? { decision: 'reject', reason: `no ${i}` } : { decision: 'approve', role: 'student' },
          }),
        ),
      ),
    )
    const statuses = responses.map((r) => r.statusCode)
    t.equal(count(statuses, 200), 1, 'one winner')
    t.equal(count(statuses, 409), 19, 'nineteen losers')
    t.same(
      new Set(responses.filter((r) => r.statusCode === 409).map((r) => r.json().code)),
      new Set(['already_decided']),
    )

    const events = await runtime.store.readStream(userStream(s.user.id))
    t.same(
      events.map((e) => e.type),
      ['SignupRequested', 'ApprovalDecided'],
      'exactly one ApprovalDecided',
    )
    const won = responses.find((r) => r.statusCode === 200)!.json().approval_request
    const decided = events[1]!.data as { decision: string; decided_by: string }
    t.equal(decided.decision, won.status, 'the stored decision is the one the winner was told about')
    t.equal(decided.decided_by, won.decided_by)
  },
)

t.test('decisions racing expiries on one request: exactly one of them is recorded', async (t) => {
  const { app, runtime, admins } = await shared
  // a second process on the same database whose clock is past every deadline: its expiry job fires while admins click
  const late = { now: () => new Date(Date.now() + 3_600_000), uuid: () => randomUUID() }
  const worker = await testRuntime(t, {
    role: 'api',
    redis: false,
    databaseUrl: runtime.config.databaseUrl,
    sources: late,
    env,
  })
  const admin = admins[0]!
  const s = await signup(app)
  await projected(runtime, s.approval_request.id)

  const job = { user_id: s.user.id, request_id: s.approval_request.id }
  const decide = () =>
    app.inject({
      method: 'POST',
      url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
      headers: bearer(admin.access_token),
      payload: { decision: 'approve' },
    })
  const [decisions, expiries] = await heldRace(runtime, () =>
    Promise.all([
      Promise.all(Array.from({ length: 10 }, decide)),
      Promise.all(Array.from({ length: 10 }, () => expireApproval(worker.identity, job, SYSTEM_CONTEXT))),
    ]),
  )
  const approved = count(
    decisions.map((r) => r.statusCode),
    200,
  )
  const expired = count(expiries, true)
  t.equal(approved + expired, 1, `one winner (${approved} approvals, ${expired} expiries)`)
  t.same(
    new Set(decisions.filter((r) => r.statusCode !== 200).map((r) => r.statusCode)),
    new Set([409]),
    'the losing decisions are conflicts',
  )
  t.ok(
    decisions
      .filter((r) => r.statusCode !== 200)
      .every((r) => ['already_decided', 'approval_expired'].includes(r.json().code)),
  )

  const types = await typesOf(runtime, userStream(s.user.id))
  t.equal(types.length, 2, 'the request was closed once')
  t.equal(types[1], approved ? 'ApprovalDecided' : 'ApprovalExpired', 'by the winner')
})

t.test('10 concurrent refreshes of one token all get the same child, and the session does not fork', async (t) => {
  const { app, runtime, admins } = await shared
  const admin = admins[0]!
  const m = await member(app, runtime, admin)

  const responses = await heldRace(runtime, () =>
    Promise.all(
      Array.from({ length: 10 }, () =>
        app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: m.refresh_token } }),
      ),
    ),
  )
  t.same(
    responses.map((r) => r.statusCode),
    Array(10).fill(200),
    'every tab is answered 200',
  )
  const children = new Set(responses.map((r) => r.json().refresh_token as string))
  t.equal(children.size, 1, 'all got the same new refresh token')
  const [child] = children
  t.not(child, m.refresh_token, 'the token was rotated')
  t.same(
    await typesOf(runtime, sessionOf(m.refresh_token)),
    ['SessionStarted', 'SessionRefreshed'],
    'one rotation, no revocation',
  )

  const me = await app.inject({
    method: 'GET',
    url: '/api/auth/me',
    headers: bearer(responses[9]!.json().access_token),
  })
  t.equal(me.statusCode, 200, 'the access tokens handed out work')

  const next = await app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: child } })
  t.equal(next.statusCode, 200, 'the child then refreshes fine')
  t.not(next.json().refresh_token, child)
  t.same(await typesOf(runtime, sessionOf(m.refresh_token)), ['SessionStarted', 'SessionRefreshed', 'SessionRefreshed'])
})

t.test(
  'within the grace window the immediate parent returns the same child; an older token revokes the session',
  async (t) => {
    const { app, runtime, admins } = await shared
    const admin = admins[0]!
    const m = await member(app, runtime, admin)
    const refresh = (token: string) =>
      app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: token } })

    const first = await refresh(m.refresh_token)
    t.equal(first.statusCode, 200)
    const child = first.json().refresh_token as string
    const replay = await refresh(m.refresh_token)
    t.equal(replay.statusCode, 200, 'the parent replayed inside the grace window is answered')
    t.equal(replay.json().refresh_token, child, 'with the very same child')
    t.same(
      await typesOf(runtime, sessionOf(child)),
      ['SessionStarted', 'SessionRefreshed'],
      'the replay changed nothing',
    )

    const second = await refresh(child)
    t.equal(second.statusCode, 200)
    const grandchild = second.json().refresh_token as string
    const stale = await refresh(m.refresh_token)
    t.equal(stale.statusCode, 401, 'a token two rotations old is reuse, even inside the grace window')
    t.equal(stale.json().code, 'invalid_refresh_token')
    const latest = await refresh(grandchild)
    t.equal(latest.statusCode, 401, 'the whole session is revoked')
    const types = await typesOf(runtime, sessionOf(child))
    t.equal(types[types.length - 1], 'SessionRevoked')
  },
)

t.test('reusing a spent token after the grace window revokes the whole session', async (t) => {
  const { app, runtime } = await testApp(t, { env: { ...env, REFRESH_REUSE_GRACE_SECONDS: '0' } })
  const admin = await adminSession(app, runtime)
  const m = await member(app, runtime, admin)
  const refresh = (token: string) =>
    app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: token } })

  const first = await refresh(m.refresh_token)
  t.equal(first.statusCode, 200)
  const child = first.json().refresh_token as string
  await new Promise((r) => setTimeout(r, 20))

  const reuses = await heldRace(runtime, () => Promise.all(Array.from({ length: 10 }, () => refresh(m.refresh_token))))
  t.same(
    reuses.map((r) => r.statusCode),
    Array(10).fill(401),
    'the spent token is refused, however many times at once',
  )
  t.same(new Set(reuses.map((r) => r.json().code)), new Set(['invalid_refresh_token']))
  const latest = await refresh(child)
  t.equal(latest.statusCode, 401, 'the latest child fails too: the whole session is revoked')
  t.equal(latest.json().code, 'invalid_refresh_token')

  const events = await runtime.store.readStream(sessionOf(child))
  t.same(
    events.map((e) => e.type),
    ['SessionStarted', 'SessionRefreshed', 'SessionRevoked'],
  )
  t.equal((events[2]!.data as { reason: string }).reason, 'refresh_token_reuse', 'revoked once, for reuse')
})

t.test(
  'the answer to a refresh agrees with what was recorded, even when the clock moves during the request',
  async (t) => {
    // every reading of the clock during the replay moves it 2 s on, across the 5 s grace window
    let skewMs = 0
    let ticking = false
    const sources = {
      now: () => new Date(Date.now() + (ticking ? (skewMs += 2_000) : skewMs)),
      uuid: () => randomUUID(),
    }
    const { app, runtime } = await testApp(t, { env: { ...env, REFRESH_REUSE_GRACE_SECONDS: '5' }, sources })
    const admin = await adminSession(app, runtime)
    const m = await member(app, runtime, admin)
    const first = await app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: m.refresh_token },
    })
    t.equal(first.statusCode, 200)

    ticking = true
    const replay = await app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: m.refresh_token },
    })
    ticking = false
    const revoked = (await typesOf(runtime, sessionOf(m.refresh_token))).includes('SessionRevoked')
    if (replay.statusCode === 200) {
      t.equal(replay.json().refresh_token, first.json().refresh_token, 'answered with the child')
      t.notOk(revoked, 'and the session lives on')
    } else {
      t.equal(replay.statusCode, 401)
      t.ok(revoked, 'refused, and the session was revoked for it')
    }
  },
)
