import { Redis } from 'ioredis'
import t from 'tap'
import { decideApproval } from '../../../src/commands/identity/approvals'
import { DomainError } from '../../../src/domain/decider'
import { userStream } from '../../../src/domain/identity/user-events'
import { QUEUE_NAME } from '../../../src/jobs/approval-timeout'
import type { Runtime } from '../../../src/runtime'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, PASSWORD, projected, signup } from '../../helpers/identity'
import { testApp, testRuntime } from '../../helpers/runtime'
import { deleteRedisKeys, TEST_REDIS_URL } from '../../helpers/services'

/**
 * Approval timeouts (docs/architecture.md §7) with a 3-second deadline. Where a test names
 * one mechanism (the delayed job, the sweep, the in-process timer), the others
 * are slowed down to an hour so that only the named one can pass it.
 */
const THREE_SECONDS = { APPROVAL_TIMEOUT_MINUTES: '0.05', RATE_LIMIT_ENABLED: 'false' }
const SWEEP_OFF = { ...THREE_SECONDS, APPROVAL_SWEEP_SECONDS: '3600' }
// six seconds here: the wipe must land between the scheduling and the deadline, even on a busy machine
const SWEEP_FAST = { ...THREE_SECONDS, APPROVAL_TIMEOUT_MINUTES: '0.1', APPROVAL_SWEEP_SECONDS: '0.5' }

const typesOf = async (runtime: Runtime, userId: string) =>
  (await runtime.store.readStream(userStream(userId))).map((e) => e.type)

async function expired(runtime: Runtime, userId: string): Promise<void> {
  await eventually(async () => (await typesOf(runtime, userId)).includes('ApprovalExpired'), 10_000, 100)
}

const sleepUntil = (iso: string, marginMs = 250) =>
  new Promise((r) => setTimeout(r, Math.max(0, Date.parse(iso) - Date.now() + marginMs)))

t.test('a signup nobody decides expires through its delayed job, and the email is free again', async (t) => {
  const { app, runtime } = await testApp(t, { env: SWEEP_OFF })
  const admin = await adminSession(app, runtime)
  const s = await signup(app)
  t.ok(Date.parse(s.approval_request.expires_at) - Date.now() <= 3_000, 'the deadline is three seconds away')

  await expired(runtime, s.user.id)
  const events = await runtime.store.readStream(userStream(s.user.id))
  const expiry = events.find((e) => e.type === 'ApprovalExpired')!
  t.equal((expiry.data as { request_id: string }).request_id, s.approval_request.id)
  t.equal(expiry.metadata.actor_role, 'system', 'the system expired it, not a person')
  t.ok(expiry.recorded_at.getTime() >= Date.parse(s.approval_request.expires_at), 'not before the deadline')

  await eventually(
    async () =>
      (
        await runtime.db.kysely
          .selectFrom('approval_requests')
          .select('status')
          .where('id', '=', s.approval_request.id)
          .executeTakeFirst()
      )?.status === 'expired',
  )
  const list = await app.inject({
    method: 'GET',
    url: '/api/admin/approval-requests?status=expired',
    headers: bearer(admin.access_token),
  })
  t.equal(list.statusCode, 200)
  const row = list.json().items.find((r: { id: string }) => r.id === s.approval_request.id)
  t.equal(row?.status, 'expired', 'the admin list shows it expired')

  const loginRes = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: s.email, password: PASSWORD },
  })
  t.equal(loginRes.statusCode, 403)
  t.equal(loginRes.json().code, 'approval_expired')
  t.equal(loginRes.json().approval_request.id, s.approval_request.id)
  t.equal(loginRes.json().approval_request.status, 'expired')

  const decide = await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'approve' },
  })
  t.equal(decide.statusCode, 409)
  t.equal(decide.json().code, 'approval_expired')

  const again = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email: s.email, password: PASSWORD, full_name: 'Second Try' },
  })
  t.equal(again.statusCode, 200, 'an expired signup frees the email')
  t.not(again.json().approval_request.id, s.approval_request.id, 'with a new request')
  t.equal(again.json().user.id, s.user.id, 'for the same account id')
  t.same(await typesOf(runtime, s.user.id), ['SignupRequested', 'ApprovalExpired', 'SignupRequested'])

  const pending = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: s.email, password: PASSWORD },
  })
  t.equal(pending.json().code, 'approval_pending', 'the new request is pending')
  const old = await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'approve' },
  })
  t.equal(old.statusCode, 409, 'the replaced request cannot be decided')
  t.equal(old.json().code, 'approval_expired')
})

t.test('the sweep still expires a request after the Redis queue was wiped', async (t) => {
  const { app, runtime } = await testApp(t, { env: SWEEP_FAST })
  const prefix = runtime.config.redisPrefix
  const s = await signup(app)

  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 })
  t.teardown(() => redis.disconnect())
  const jobKey = `${prefix}:${QUEUE_NAME}:${s.approval_request.id}`
  await eventually(async () => (await redis.exists(jobKey)) === 1)
  await deleteRedisKeys(prefix)
  t.equal(await redis.exists(jobKey), 0, 'the delayed job is gone with the Redis data')
  t.ok(Date.now() < Date.parse(s.approval_request.expires_at), 'wiped before the deadline')

  await expired(runtime, s.user.id)
  t.same(await typesOf(runtime, s.user.id), ['SignupRequested', 'ApprovalExpired'], 'expired exactly once')
  const loginRes = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: s.email, password: PASSWORD },
  })
  t.equal(loginRes.statusCode, 403)
  t.equal(loginRes.json().code, 'approval_expired')
})

t.test('a pending request past its deadline is expired for login and decide before any job or sweep ran', async (t) => {
  // the API alone: no worker, no sweep, no reactor; a projector on the same
  // database feeds the admin list (its jobs go to a queue that no worker reads)
  const { app, runtime } = await testApp(t, { role: 'api', env: THREE_SECONDS })
  const projector = await testRuntime(t, {
    role: 'projector',
    databaseUrl: runtime.config.databaseUrl,
    env: THREE_SECONDS,
  })
  t.equal(projector.config.databaseUrl, runtime.config.databaseUrl)
  const admin = await adminSession(app, runtime)
  const s = await signup(app)
  await projected(runtime, s.approval_request.id)
  await sleepUntil(s.approval_request.expires_at)

  const loginRes = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: s.email, password: PASSWORD },
  })
  t.equal(loginRes.statusCode, 403)
  t.equal(loginRes.json().code, 'approval_expired')
  t.equal(loginRes.json().approval_request.status, 'expired')

  const decide = await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'approve' },
  })
  t.equal(decide.statusCode, 409)
  t.equal(decide.json().code, 'approval_expired')
  const direct = await decideApproval(
    runtime.identity,
    { request_id: s.approval_request.id, decision: 'reject' },
    { actor_id: admin.user.id, actor_role: 'admin', ip: null, user_agent: null, request_id: null },
  ).catch((err: unknown) => err)
  t.ok(direct instanceof DomainError, 'the command refuses it too')
  t.equal((direct as DomainError).code, 'approval_expired')

  const expiredList = await app.inject({
    method: 'GET',
    url: '/api/admin/approval-requests?status=expired',
    headers: bearer(admin.access_token),
  })
  t.equal(
    expiredList.json().items.find((r: { id: string }) => r.id === s.approval_request.id)?.status,
    'expired',
    'listed as expired',
  )
  const pendingList = await app.inject({
    method: 'GET',
    url: '/api/admin/approval-requests?status=pending',
    headers: bearer(admin.access_token),
  })
  t.notOk(
    pendingList.json().items.some((r: { id: string }) => r.id === s.approval_request.id),
    'and no longer as pending',
  )

  t.same(
    await typesOf(runtime, s.user.id),
    ['SignupRequested'],
    'nothing recorded the expiry: it was judged by the deadline',
  )

  const again = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { email: s.email, password: PASSWORD, full_name: 'Second Try' },
  })
  t.equal(again.statusCode, 200, 'the email is free again')
  t.same(
    await typesOf(runtime, s.user.id),
    ['SignupRequested', 'ApprovalExpired', 'SignupRequested'],
    'the new signup records the expiry first',
  )
})

t.test('embedded mode, without Redis, expires requests with its in-process timer', async (t) => {
  const { app, runtime } = await testApp(t, { redis: false, env: SWEEP_OFF })
  t.equal(runtime.redis, undefined)
  const s = await signup(app)
  await expired(runtime, s.user.id)
  t.same(await typesOf(runtime, s.user.id), ['SignupRequested', 'ApprovalExpired'])
  const loginRes = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email: s.email, password: PASSWORD },
  })
  t.equal(loginRes.statusCode, 403)
  t.equal(loginRes.json().code, 'approval_expired')
})
