import fc from 'fast-check'
import t from 'tap'
import { classify, snakeCase } from '../../../src/domain/audit/actions'
import { csvCell, csvLine } from '../../../src/api/csv'
import { escapeControl, redact, sanitize } from '../../../src/domain/audit/sanitize'
import { auditRow } from '../../../src/projections/audit/audit-log'
import type { StoredEvent } from '../../../src/store/event-store'

const stored = (type: string, data: unknown, metadata: Record<string, unknown> = {}): StoredEvent => ({
  id: '00000000-0000-4000-8000-000000000001',
  type,
  data,
  metadata,
  stream: 's-1',
  revision: 0n,
  position: '1:1',
  recorded_at: new Date('2025-01-02T03:04:05.678Z'),
})

t.test('redact replaces every secret-looking key, at any depth, and keeps the rest', async (t) => {
  const input = {
    email: 'a@b.org',
    password_hash: '$2a$04$x',
    nested: {
      refresh_token_hash: 'h1',
      list: [{ previous_token_hash: 'h2', ok: 1 }],
      client_Secret: 's',
      MyPassword: 'p',
      access_token: 't',
      api_key_hash: 'h3',
      nonce: 'n',
    },
  }
  t.same(redact(input), {
    email: 'a@b.org',
    password_hash: '[redacted]',
    nested: {
      refresh_token_hash: '[redacted]',
      list: [{ previous_token_hash: '[redacted]', ok: 1 }],
      client_Secret: '[redacted]',
      MyPassword: '[redacted]',
      access_token: '[redacted]',
      api_key_hash: '[redacted]',
      nonce: 'n',
    },
  })
  t.equal(input.password_hash, '$2a$04$x', 'the input is not changed')
})

t.test('escapeControl turns every control character into visible text, and keeps one value on one line', async (t) => {
  t.equal(
    escapeControl('a\r\nb\tc\u0000d\u001be\u007ff\u0085g\u2028h'),
    'a\\u000d\\u000ab\\u0009c\\u0000d\\u001be\\u007ff\\u0085g\\u2028h',
  )
  t.equal(
    escapeControl('C:\\path and a typed \\u000a'),
    'C:\\\\path and a typed \\\\u000a',
    'a backslash is doubled, so typed escapes stay distinguishable',
  )
  t.equal(escapeControl('Ünïcödé 🦄 plain'), 'Ünïcödé 🦄 plain')
  t.same(sanitize({ 'k\n': ['x\ry', 1, null, { z: '\u0007' }] }), {
    'k\\u000a': ['x\\u000dy', 1, null, { z: '\\u0007' }],
  })
})

/** The first definition of redact, a walk of its own (redact and sanitize now share theirs). */
const redactedOracle = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(redactedOracle)
    : value !== null && typeof value === 'object' && !(value instanceof Date)
      ? Object.fromEntries(
          Object.entries(value).map(([k, v]) => [
            k,
            /password|token|secret|hash/i.test(k) ? '[redacted]' : redactedOracle(v),
          ]),
        )
      : value

/** The first definition of an audit row's details: redacted, then every string and key escaped, in two walks. */
const escapedOracle = (value: unknown): unknown =>
  typeof value === 'string'
    ? escapeControl(value)
    : Array.isArray(value)
      ? value.map(escapedOracle)
      : value !== null && typeof value === 'object' && !(value instanceof Date)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeControl(k), escapedOracle(v)]))
        : value

t.test('sanitize is redact and then escape everywhere, in one walk', async (t) => {
  const hostileKey = fc.oneof(
    fc.string(),
    fc.constantFrom('__proto__', 'constructor', 'password', 'a\nb', 'token\u0000', 'x\\y', 'Hash'),
  )
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('a\r\nb', '\\u000a', '\u2028', '[redacted]'))
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
      fc.date({ noInvalidDate: true }),
      fc.array(tie('tree'), { maxLength: 3 }),
      fc.dictionary(hostileKey, tie('tree'), { maxKeys: 4 }),
    ),
  }))
  fc.assert(
    fc.property(tree, (value) => {
      const json = JSON.stringify(value)
      const ours = sanitize(value)
      return (
        JSON.stringify(ours) === JSON.stringify(escapedOracle(redactedOracle(value))) &&
        JSON.stringify(redact(value)) === JSON.stringify(redactedOracle(value)) &&
        JSON.stringify(value) === json // the input is not changed
      )
    }),
    { numRuns: 5_000 },
  )
  const parsed = JSON.parse('{"__proto__": {"password": "p", "x": "a\\nb"}}') as unknown
  t.same(
    Object.getOwnPropertyNames(sanitize(parsed)),
    ['__proto__'],
    'an own "__proto__" stays an own key, never a prototype',
  )
  t.equal(JSON.stringify(sanitize(parsed)), '{"__proto__":{"password":"[redacted]","x":"a\\\\u000ab"}}')
})

t.test('each event type has its OWASP action; unknown types are event_<snake_case>', async (t) => {
  const cases: [string, object, string, 'success' | 'failure'][] = [
    ['SignupRequested', { user_id: 'u' }, 'authn_signup_requested', 'success'],
    ['LoginSucceeded', { user_id: 'u' }, 'authn_login_success', 'success'],
    ['LoginFailed', { user_id: null }, 'authn_login_fail', 'failure'],
    ['SessionStarted', { session_id: 's' }, 'authn_session_started', 'success'],
    ['SessionRefreshed', { session_id: 's' }, 'authn_token_refreshed', 'success'],
    ['SessionRevoked', { reason: 'refresh_token_reuse' }, 'authn_token_reuse', 'failure'],
    ['SessionRevoked', { reason: 'logout' }, 'authn_logout', 'success'],
    ['SessionRevoked', { reason: 'user_changed' }, 'authn_session_revoked', 'success'],
    ['SessionRevoked', { reason: 'expired' }, 'authn_session_revoked', 'success'],
    ['AccessDenied', { method: 'GET', route: '/api/x' }, 'authz_fail', 'failure'],
    ['ApprovalDecided', { decision: 'approved' }, 'user_approved', 'success'],
    ['ApprovalDecided', { decision: 'rejected' }, 'user_rejected', 'success'],
    ['ApprovalExpired', {}, 'user_approval_expired', 'success'],
    ['UserRoleChanged', {}, 'authz_role_changed', 'success'],
    ['UserDeactivated', {}, 'user_deactivated', 'success'],
    ['ClubEventCreated', {}, 'club_event_created', 'success'],
    ['ClubEventUpdated', {}, 'club_event_updated', 'success'],
    ['ClubEventDeleted', {}, 'club_event_deleted', 'success'],
    ['ClubEventStatusChanged', { club_event_id: 'e' }, 'club_event_status_changed', 'success'],
    ['QrIssued', {}, 'qr_issued', 'success'],
    ['QrRevoked', {}, 'qr_revoked', 'success'],
    ['QrRotated', {}, 'qr_rotated', 'success'],
    ['AttendanceMarked', {}, 'attendance_marked', 'success'],
    ['AttendanceRejected', {}, 'attendance_rejected', 'failure'],
    ['NotificationRead', { user_id: 'u' }, 'event_notification_read', 'success'],
    ['HTTPRequestRefused', {}, 'event_http_request_refused', 'failure'],
    ['toString', {}, 'event_to_string', 'success'],
  ]
  for (const [type, data, action, outcome] of cases)
    t.match(classify({ type, data }), { action, outcome }, `${type} ${JSON.stringify(data)}`)
  t.match(classify({ type: 'AccessDenied', data: { method: 'GET', route: '/api/admin/x' } }), {
    target_type: 'route',
    target_id: 'GET /api/admin/x',
  })
  t.match(
    classify({ type: 'NotificationRead', data: { user_id: 'u1' } }),
    { target_type: 'user', target_id: 'u1' },
    'an unknown event still names its user',
  )
  t.match(classify({ type: 'Weird', data: null }), { action: 'event_weird', target_id: null })
  t.equal(snakeCase('Weird Type!\r\n'), 'weird_type')
})

t.test('an audit row: metadata becomes who and where, details are redacted and escaped', async (t) => {
  const row = auditRow(
    stored(
      'SignupRequested',
      { user_id: 'u1', email: 'a@b.org', full_name: 'Ada\r\nForged', password_hash: '$2a$04$secret' },
      { actor_id: 'u1', actor_role: null, ip: '203.0.113.9', user_agent: 'UA\nx', request_id: 'r1' },
    ),
  )
  t.match(row, {
    id: '00000000-0000-4000-8000-000000000001',
    position: '1:1',
    action: 'authn_signup_requested',
    outcome: 'success',
    actor_id: 'u1',
    actor_role: null,
    target_type: 'user',
    target_id: 'u1',
    ip: '203.0.113.9',
    user_agent: 'UA\\u000ax',
    request_id: 'r1',
  })
  t.same(row.details, {
    user_id: 'u1',
    email: 'a@b.org',
    full_name: 'Ada\\u000d\\u000aForged',
    password_hash: '[redacted]',
  })
  t.same(auditRow(stored('Odd', [1, 2])).details, { value: [1, 2] }, 'data that is not an object is kept under value')
})

t.test('a CSV cell is quoted, escaped and defused', async (t) => {
  t.equal(csvCell('plain'), '"plain"')
  t.equal(csvCell('say "hi"'), '"say ""hi"""')
  t.equal(csvCell('a\r\nb'), '"a\\u000d\\u000ab"', 'no raw line break can reach a CSV line')
  for (const f of ['=1+1', '+1', '-1', '@SUM(A1)']) t.equal(csvCell(f), `"'${f}"`, `${f} is defused`)
  t.equal(csvCell(null), '""')
  t.equal(csvCell({ a: 'b\n' }), '"{""a"":""b\\n""}"', 'an object is its JSON')
  t.equal(csvLine(['a', 1]), '"a","1"\r\n')
})
