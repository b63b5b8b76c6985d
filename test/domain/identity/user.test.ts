import { createHash } from 'node:crypto'
import t, { type Test } from 'tap'
import { effectiveStatus, userDecider, type UserCommand } from '../../../src/domain/identity/user'
import {
  userIdForEmail,
  userStream,
  type ApprovalDecided,
  type ApprovalExpired,
  type Role,
  type SignupRequested,
  type UserEvent,
} from '../../../src/domain/identity/user-events'
import { fold } from '../../../src/domain/decider'
import { given } from '../../helpers/decider'

const EMAIL = 'ada@club.example.org'
const USER = userIdForEmail(EMAIL)
const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'
const REQUEST = '11111111-1111-4111-8111-111111111111'
const NEXT_REQUEST = '22222222-2222-4222-8222-222222222222'
const HASH = '$2b$04$abcdefghijklmnopqrstuuJ4Qm3mvvZ8mZ1c5nZ0F9Z9gQ1lq8D3a'
const T0 = new Date('2025-03-01T12:00:00.000Z')
const TIMEOUT = 3 * 60_000
const DEADLINE = new Date(T0.getTime() + TIMEOUT)
const at = (ms: number) => new Date(T0.getTime() + ms)

const user = (t: Test, ...events: UserEvent[]) => given(t, userDecider, events)

// ---- events ----
const signupRequested = (request_id = REQUEST, requested = T0): SignupRequested => ({
  type: 'SignupRequested',
  data: {
    user_id: USER,
    request_id,
    email: EMAIL,
    full_name: 'Ada Lovelace',
    password_hash: HASH,
    requested_at: requested.toISOString(),
    expires_at: new Date(requested.getTime() + TIMEOUT).toISOString(),
  },
})
const approved = (role: Role = 'student', when = at(1000), request_id = REQUEST): ApprovalDecided => ({
  type: 'ApprovalDecided',
  data: {
    user_id: USER,
    request_id,
    decision: 'approved',
    role,
    decided_by: ADMIN,
    reason: null,
    decided_at: when.toISOString(),
  },
})
const rejected = (reason: string | null = 'not a member', when = at(1000)): ApprovalDecided => ({
  type: 'ApprovalDecided',
  data: {
    user_id: USER,
    request_id: REQUEST,
    decision: 'rejected',
    role: null,
    decided_by: ADMIN,
    reason,
    decided_at: when.toISOString(),
  },
})
const expired = (when = DEADLINE, request_id = REQUEST): ApprovalExpired => ({
  type: 'ApprovalExpired',
  data: { user_id: USER, request_id, expired_at: when.toISOString() },
})
const deactivated = (when = at(5000)): UserEvent => ({
  type: 'UserDeactivated',
  data: { user_id: USER, deactivated_by: ADMIN, reason: 'left the club', deactivated_at: when.toISOString() },
})
const roleChanged = (role: Role, previous_role: Role, when = at(4000)): UserEvent => ({
  type: 'UserRoleChanged',
  data: { user_id: USER, role, previous_role, changed_by: ADMIN, changed_at: when.toISOString() },
})

// ---- commands ----
const requestSignup = (now: Date, request_id = NEXT_REQUEST): UserCommand => ({
  type: 'RequestSignup',
  data: {
    user_id: USER,
    request_id,
    email: EMAIL,
    full_name: 'Ada Lovelace',
    password_hash: HASH,
    timeout_ms: TIMEOUT,
  },
  metadata: { actor_id: null, now },
})
const decide = (
  decision: 'approve' | 'reject',
  now = at(1000),
  extra: { role?: Role; reason?: string | null; request_id?: string } = {},
): UserCommand => ({
  type: 'DecideApproval',
  data: {
    request_id: extra.request_id ?? REQUEST,
    decision,
    role: extra.role ?? 'student',
    reason: extra.reason ?? null,
  },
  metadata: { actor_id: ADMIN, now },
})
const expire = (now: Date, request_id = REQUEST): UserCommand => ({
  type: 'ExpireApproval',
  data: { request_id },
  metadata: { actor_id: null, now },
})
const changeRole = (role: Role, now = at(4000)): UserCommand => ({
  type: 'ChangeRole',
  data: { role },
  metadata: { actor_id: ADMIN, now },
})
const deactivate = (now = at(5000)): UserCommand => ({
  type: 'Deactivate',
  data: { reason: 'left the club' },
  metadata: { actor_id: ADMIN, now },
})

t.test('RequestSignup', async (t) => {
  t.test('on no account records a pending request that expires after the timeout', async (t) => {
    const state = user(t)
      .when(requestSignup(T0, REQUEST))
      .then([signupRequested(REQUEST, T0)])
    t.equal(state.status, 'pending')
  })
  t.test('after a recorded expiry records a fresh request (no second ApprovalExpired)', async (t) => {
    user(t, signupRequested(), expired())
      .when(requestSignup(at(TIMEOUT + 60_000)))
      .then([signupRequested(NEXT_REQUEST, at(TIMEOUT + 60_000))])
  })
  t.test('on a pending request past its deadline first records the expiry, then the new request', async (t) => {
    const now = at(TIMEOUT + 60_000)
    const state = user(t, signupRequested())
      .when(requestSignup(now))
      .then([expired(now), signupRequested(NEXT_REQUEST, now)])
    t.match(state, { status: 'pending', request: { id: NEXT_REQUEST } }, 'the new request is the one pending')
  })
  t.test('the deadline itself counts as past', async (t) => {
    user(t, signupRequested())
      .when(requestSignup(DEADLINE))
      .then([expired(DEADLINE), signupRequested(NEXT_REQUEST, DEADLINE)])
  })
  t.test('on a pending request one millisecond before its deadline is refused: email_taken', async (t) => {
    user(t, signupRequested())
      .when(requestSignup(at(TIMEOUT - 1)))
      .thenThrows('email_taken')
  })
  t.test('on an approved account is refused: email_taken', async (t) => {
    user(t, signupRequested(), approved())
      .when(requestSignup(at(TIMEOUT * 10)))
      .thenThrows('email_taken')
  })
  t.test('on a rejected account is refused: email_taken (a rejected email stays taken)', async (t) => {
    user(t, signupRequested(), rejected())
      .when(requestSignup(at(TIMEOUT * 10)))
      .thenThrows('email_taken')
  })
  t.test('on a deactivated account is refused: email_taken', async (t) => {
    user(t, signupRequested(), approved(), deactivated())
      .when(requestSignup(at(TIMEOUT * 10)))
      .thenThrows('email_taken')
  })
})

t.test('DecideApproval', async (t) => {
  t.test('approving a pending request records the decision with the role', async (t) => {
    const state = user(t, signupRequested())
      .when(decide('approve'))
      .then([approved('student')])
    t.match(state, { status: 'approved', role: 'student' })
  })
  t.test('approving as admin makes an admin', async (t) => {
    const state = user(t, signupRequested())
      .when(decide('approve', at(1000), { role: 'admin' }))
      .then([approved('admin')])
    t.match(state, { status: 'approved', role: 'admin' })
  })
  t.test('rejecting records the reason and no role', async (t) => {
    const state = user(t, signupRequested())
      .when(decide('reject', at(1000), { reason: 'not a member', role: 'admin' }))
      .then([rejected('not a member')])
    t.match(state, { status: 'rejected', reason: 'not a member' })
  })
  t.test('a request already approved or rejected is refused: already_decided', async (t) => {
    user(t, signupRequested(), approved())
      .when(decide('reject', at(2000)))
      .thenThrows('already_decided')
    user(t, signupRequested(), approved())
      .when(decide('approve', at(2000)))
      .thenThrows('already_decided', 'approving twice')
    user(t, signupRequested(), rejected())
      .when(decide('approve', at(2000)))
      .thenThrows('already_decided')
    user(t, signupRequested(), approved(), deactivated())
      .when(decide('approve', at(6000)))
      .thenThrows('already_decided', 'a deactivated account')
  })
  t.test('after the deadline, recorded or not, is refused: approval_expired', async (t) => {
    user(t, signupRequested())
      .when(decide('approve', DEADLINE))
      .thenThrows('approval_expired', 'at the deadline, before the job ran')
    user(t, signupRequested())
      .when(decide('approve', at(TIMEOUT + 1)))
      .thenThrows('approval_expired')
    user(t, signupRequested(), expired())
      .when(decide('approve', at(TIMEOUT + 1)))
      .thenThrows('approval_expired', 'after ApprovalExpired')
  })
  t.test('one millisecond before the deadline is still in time', async (t) => {
    user(t, signupRequested())
      .when(decide('approve', at(TIMEOUT - 1)))
      .then([approved('student', at(TIMEOUT - 1))])
  })
  t.test('an old request id, replaced by a new signup, is refused: approval_expired', async (t) => {
    const later = at(TIMEOUT + 60_000)
    user(t, signupRequested(), expired(), signupRequested(NEXT_REQUEST, later))
      .when(decide('approve', at(TIMEOUT + 61_000), { request_id: REQUEST }))
      .thenThrows('approval_expired')
    user(t, signupRequested(), expired(), signupRequested(NEXT_REQUEST, later))
      .when(decide('approve', at(TIMEOUT + 61_000), { request_id: NEXT_REQUEST }))
      .then([approved('student', at(TIMEOUT + 61_000), NEXT_REQUEST)], 'the new request can be decided')
  })
  t.test('on no account is refused: not_found', async (t) => {
    user(t).when(decide('approve')).thenThrows('not_found')
  })
  t.test(
    'a request id the account never made (an index entry whose signup never landed) is refused: not_found',
    async (t) => {
      user(t, signupRequested())
        .when(decide('approve', at(1000), { request_id: '33333333-3333-4333-8333-333333333333' }))
        .thenThrows('not_found')
    },
  )
})

t.test('ExpireApproval', async (t) => {
  t.test('a pending request at or past its deadline expires', async (t) => {
    const state = user(t, signupRequested())
      .when(expire(DEADLINE))
      .then([expired(DEADLINE)])
    t.equal(state.status, 'expired')
    user(t, signupRequested())
      .when(expire(at(TIMEOUT * 2)))
      .then([expired(at(TIMEOUT * 2))])
  })
  t.test('before the deadline nothing happens', async (t) => {
    user(t, signupRequested())
      .when(expire(at(TIMEOUT - 1)))
      .then([])
  })
  t.test('is idempotent: an expired request expires once', async (t) => {
    user(t, signupRequested(), expired())
      .when(expire(at(TIMEOUT * 2)))
      .then([])
  })
  t.test('a decided request, another request id, or no account: nothing happens', async (t) => {
    user(t, signupRequested(), approved())
      .when(expire(at(TIMEOUT * 2)))
      .then([], 'approved')
    user(t, signupRequested(), rejected())
      .when(expire(at(TIMEOUT * 2)))
      .then([], 'rejected')
    user(t, signupRequested())
      .when(expire(at(TIMEOUT * 2), NEXT_REQUEST))
      .then([], 'another request id')
    user(t)
      .when(expire(at(TIMEOUT * 2)))
      .then([], 'no account')
  })
})

t.test('ChangeRole', async (t) => {
  t.test('an approved student becomes admin, and back', async (t) => {
    let state = user(t, signupRequested(), approved())
      .when(changeRole('admin'))
      .then([roleChanged('admin', 'student')])
    t.match(state, { status: 'approved', role: 'admin' })
    state = user(t, signupRequested(), approved(), roleChanged('admin', 'student'))
      .when(changeRole('student', at(4500)))
      .then([roleChanged('student', 'admin', at(4500))])
    t.match(state, { status: 'approved', role: 'student' })
  })
  t.test('the same role again records nothing', async (t) => {
    user(t, signupRequested(), approved('admin')).when(changeRole('admin')).then([])
  })
  t.test('anyone not approved is refused: not_found', async (t) => {
    user(t).when(changeRole('admin')).thenThrows('not_found', 'no account')
    user(t, signupRequested()).when(changeRole('admin')).thenThrows('not_found', 'pending')
    user(t, signupRequested(), rejected()).when(changeRole('admin')).thenThrows('not_found', 'rejected')
    user(t, signupRequested(), approved(), deactivated())
      .when(changeRole('admin', at(6000)))
      .thenThrows('not_found', 'deactivated')
  })
})

t.test('Deactivate', async (t) => {
  t.test('an approved account is deactivated and keeps its role on record', async (t) => {
    const state = user(t, signupRequested(), approved('admin')).when(deactivate()).then([deactivated()])
    t.match(state, { status: 'deactivated', role: 'admin' })
  })
  t.test('is idempotent', async (t) => {
    user(t, signupRequested(), approved(), deactivated())
      .when(deactivate(at(6000)))
      .then([])
  })
  t.test('anyone never approved is refused: not_found', async (t) => {
    user(t).when(deactivate()).thenThrows('not_found')
    user(t, signupRequested()).when(deactivate()).thenThrows('not_found')
    user(t, signupRequested(), rejected()).when(deactivate()).thenThrows('not_found')
  })
})

const byAdmin = <T extends UserCommand['type']>(type: T, data: object, now = at(6000)) =>
  ({ type, data, metadata: { actor_id: ADMIN, now } }) as UserCommand
const reactivated = (role: Role = 'student', when = at(6000)): UserEvent => ({
  type: 'UserReactivated',
  data: { user_id: USER, role, reactivated_by: ADMIN, reactivated_at: when.toISOString() },
})
const removed = (when = at(6000)): UserEvent => ({
  type: 'UserRemoved',
  data: { user_id: USER, removed_by: ADMIN, reason: null, removed_at: when.toISOString() },
})

t.test('Deactivate and Reactivate', async (t) => {
  t.test('nobody deactivates themselves', async (t) => {
    user(t, signupRequested(), approved('admin'))
      .when({ ...deactivate(), metadata: { actor_id: USER, now: at(5000) } })
      .thenThrows('not_on_self')
  })
  t.test('a deactivated member is approved again, in the role they had', async (t) => {
    const state = user(t, signupRequested(), approved('admin'), deactivated())
      .when(byAdmin('Reactivate', {}))
      .then([reactivated('admin')])
    t.match(state, { status: 'approved', role: 'admin' })
  })
  t.test('reactivating an active member changes nothing; anyone else is not a member', async (t) => {
    user(t, signupRequested(), approved()).when(byAdmin('Reactivate', {})).then([])
    user(t, signupRequested()).when(byAdmin('Reactivate', {})).thenThrows('not_found')
    user(t, signupRequested(), approved(), removed()).when(byAdmin('Reactivate', {})).thenThrows('not_found')
  })
  t.test('ToggleActive flips the state the command is decided on', async (t) => {
    const [off] = user(t, signupRequested(), approved()).when(byAdmin('ToggleActive', {})).events()
    t.match(off, { type: 'UserDeactivated', data: { user_id: USER, deactivated_by: ADMIN, reason: null } })
    user(t, signupRequested(), approved(), deactivated()).when(byAdmin('ToggleActive', {})).then([reactivated()])
    user(t, signupRequested()).when(byAdmin('ToggleActive', {})).thenThrows('not_found')
  })
})

t.test('Remove', async (t) => {
  t.test('an active or deactivated student is removed; again changes nothing', async (t) => {
    t.match(
      user(t, signupRequested(), approved())
        .when(byAdmin('Remove', { reason: null }))
        .then([removed()]),
      {
        status: 'removed',
      },
    )
    user(t, signupRequested(), approved(), deactivated())
      .when(byAdmin('Remove', { reason: null }))
      .then([removed()])
    user(t, signupRequested(), approved(), removed())
      .when(byAdmin('Remove', { reason: null }))
      .then([])
  })
  t.test('admins are refused, and so is anyone never approved', async (t) => {
    user(t, signupRequested(), approved('admin'))
      .when(byAdmin('Remove', { reason: null }))
      .thenThrows('admin_not_removable')
    user(t, signupRequested())
      .when(byAdmin('Remove', { reason: null }))
      .thenThrows('not_found')
    user(t)
      .when(byAdmin('Remove', { reason: null }))
      .thenThrows('not_found')
  })
  t.test('the email may sign up again, as a new pending account with an empty profile', async (t) => {
    const profiled: UserEvent = {
      type: 'ProfileUpdated',
      data: { user_id: USER, changes: { bio: 'hi' }, updated_by: USER, updated_at: at(2000).toISOString() },
    }
    const [event] = user(t, signupRequested(), approved(), profiled, removed())
      .when(requestSignup(at(7000)))
      .events()
    t.equal(event?.type, 'SignupRequested')
    const state = fold(userDecider, [signupRequested(), approved(), profiled, removed(), event!])
    t.match(state, { status: 'pending', account: { profile: { bio: null, skills: [] } } })
  })
})

t.test('UpdateProfile', async (t) => {
  const update = (changes: object) =>
    ({ type: 'UpdateProfile', data: { changes }, metadata: { actor_id: USER, now: at(2000) } }) as UserCommand
  const member = [signupRequested(), approved()] as const
  t.test('records only what changed, trimmed; blanks clear a field', async (t) => {
    const [event] = user(t, ...member)
      .when(update({ full_name: ' Ada King ', section: 'A', bio: '', skills: [' sql ', 'SQL', 'R'] }))
      .events()
    t.same(event?.data, {
      user_id: USER,
      changes: { full_name: 'Ada King', section: 'A', skills: ['sql', 'R'] },
      updated_by: USER,
      updated_at: at(2000).toISOString(),
    })
  })
  t.test('the same values again decide nothing', async (t) => {
    user(t, ...member)
      .when(update({ full_name: 'Ada Lovelace', bio: null, skills: [] }))
      .then([])
  })
  t.test("the original's limits: section 50, branch 100, year 20, bio 300, 8 skills of 50", async (t) => {
    user(t, ...member)
      .when(update({ section: 'x'.repeat(50), branch: 'x'.repeat(100), year: 'x'.repeat(20) }))
      .events()
    for (const bad of [
      { section: 'x'.repeat(51) },
      { branch: 'x'.repeat(101) },
      { year: 'x'.repeat(21) },
      { bio: 'x'.repeat(301) },
      { skills: Array.from({ length: 9 }, (_, i) => `s${i}`) },
      { skills: ['x'.repeat(51)] },
      { full_name: '   ' },
      { full_name: 'a\u0000b' },
      { section: 'a\nb' },
    ])
      user(t, ...member)
        .when(update(bad))
        .thenThrows('validation_error', JSON.stringify(bad))
  })
  t.test('only an active member edits a profile', async (t) => {
    user(t, signupRequested())
      .when(update({ bio: 'x' }))
      .thenThrows('not_found')
    user(t, signupRequested(), approved(), deactivated())
      .when(update({ bio: 'x' }))
      .thenThrows('not_found')
  })
})

t.test('effectiveStatus judges a pending request by its deadline', async (t) => {
  const state = fold(userDecider, [signupRequested()])
  t.equal(effectiveStatus(state, at(TIMEOUT - 1)), 'pending')
  t.equal(effectiveStatus(state, DEADLINE), 'expired')
  t.equal(effectiveStatus(fold(userDecider, [signupRequested(), approved()]), at(TIMEOUT * 2)), 'approved')
})

/** RFC 4122 §4.3, written independently of the code under test. */
function uuidV5(namespace: string, name: string): string {
  const h = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return [x.slice(0, 8), x.slice(8, 12), x.slice(12, 16), x.slice(16, 20), x.slice(20)].join('-')
}

t.test('userIdForEmail', async (t) => {
  t.test('the reference v5 implementation gives the published example', async (t) => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    t.equal(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'), '886313e1-3b8a-5372-9b90-0c9aee199e5d')
  })
  t.test('is a valid version-5 RFC 4122 UUID of the email under the fixed namespace', async (t) => {
    for (const email of [EMAIL, 'b@x.org', 'δοκιμή@example.org', '']) {
      const id = userIdForEmail(email)
      t.match(
        id,
        /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        `v5, variant 10xx: ${JSON.stringify(email)}`,
      )
      t.equal(id, uuidV5('6f1c5b8e-2a7d-4c3b-9e0f-1a2b3c4d5e6f', email))
    }
  })
  t.test('is stable: the same email always names the same account, as it did when accounts were created', async (t) => {
    t.equal(userIdForEmail(EMAIL), userIdForEmail(EMAIL))
    // pinned (Python: uuid.uuid5(UUID('6f1c5b8e-…'), 'ada@club.example.org')): a change would orphan every stored account
    t.equal(userIdForEmail('ada@club.example.org'), '33dc1102-4c13-5d4b-bb8d-7ac46007c8d4')
  })
  t.test('different emails give different ids; the stream is user-<id>', async (t) => {
    t.not(userIdForEmail('ada@club.example.org'), userIdForEmail('ada@club.example.com'))
    t.equal(userStream(USER), `user-${USER}`)
  })
})
