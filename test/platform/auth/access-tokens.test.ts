import { createHash } from 'node:crypto'
import jwt from 'jsonwebtoken'
import t, { type Test } from 'tap'
import {
  InvalidTokenError,
  MAX_ACCESS_TOKEN_LENGTH,
  createTokenService,
} from '../../../src/platform/auth/access-tokens'
import { hashRefreshToken, newRefreshToken } from '../../../src/platform/auth/refresh-tokens'

const SECRET = 'test-secret-0123456789abcdef0123456789abcdef'
const TTL = 900
const now = new Date('2025-03-01T12:00:00Z')
const nowS = Math.floor(now.getTime() / 1000)
const service = createTokenService({ secret: SECRET, accessTtlSeconds: TTL })
const user = {
  sub: '7f1c7b5e-4a4e-4f0f-9a39-3b8f1f3a0c11',
  role: 'student' as const,
  sid: 'c0b5d0e2-8a57-4f6e-bd3e-6a4c3d2e1f00',
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
// A token signed by hand with our secret: everything valid unless a test overrides it.
const valid = {
  ...user,
  kind: 'access',
  jti: 'a9e8d7c6-0000-4000-8000-000000000001',
  iss: 'dscp',
  aud: 'dscp-api',
  iat: nowS,
  exp: nowS + TTL,
}
const forge = (payload: object, algorithm: jwt.Algorithm = 'HS256') => jwt.sign(payload, SECRET, { algorithm })

function refusedAs(t: Test, token: string, reason: 'expired' | 'invalid', at = now) {
  let thrown: unknown
  try {
    service.verifyAccess(token, at)
  } catch (err) {
    thrown = err
  }
  t.ok(thrown instanceof InvalidTokenError, 'throws InvalidTokenError')
  t.equal((thrown as InvalidTokenError | undefined)?.reason, reason, `reason ${reason}`)
}

t.test('a signed access token verifies and gives back its claims', async (t) => {
  const { token, expiresIn } = service.signAccess(user, now)
  t.equal(expiresIn, TTL)
  const claims = service.verifyAccess(token, now)
  t.match(claims, user)
  t.match(claims.jti, /^[0-9a-f-]{36}$/)
  t.same(Object.keys(claims).sort(), ['iat', 'jti', 'role', 'sid', 'sub'])
  t.equal(claims.iat, nowS, 'when it was issued: a process asks about sessions older than itself')

  const decoded = jwt.decode(token, { complete: true })!
  t.same(decoded.header, { alg: 'HS256', typ: 'JWT' })
  t.match(decoded.payload, { iss: 'dscp', aud: 'dscp-api', kind: 'access', iat: nowS, exp: nowS + TTL })
  t.not(service.signAccess(user, now).token, token, 'every token gets a fresh jti')
  t.not(jwt.decode(service.signAccess(user, now).token, { json: true })!.jti, claims.jti)
})

t.test(
  'a token verified once is remembered, yet expires by the clock, and any other bytes are verified afresh',
  async (t) => {
    const { token } = service.signAccess(user, now)
    const first = service.verifyAccess(token, now)
    t.equal(service.verifyAccess(token, now), first, 'the second time: the remembered claims')
    const [head, body, sig] = token.split('.') as [string, string, string]
    const flipped = `${head}.${body}.${sig.slice(0, 5)}${sig[5] === 'A' ? 'B' : 'A'}${sig.slice(6)}`
    refusedAs(t, flipped, 'invalid')
    refusedAs(t, `${token} `, 'invalid')
    refusedAs(t, token, 'expired', new Date(now.getTime() + TTL * 1000))
    t.match(service.verifyAccess(token, now), user, 'the clock is read on every call')
    const other = createTokenService({ secret: `${SECRET}-other`, accessTtlSeconds: TTL })
    t.throws(
      () => other.verifyAccess(token, now),
      InvalidTokenError,
      'what one service remembers, another (another key) does not',
    )
  },
)

t.test('the forged baseline is accepted, so each refusal below is down to its one change', async (t) => {
  t.match(service.verifyAccess(forge(valid), now), user)
})

t.test('an expired token is refused as expired, by the clock passed in', async (t) => {
  const { token } = service.signAccess(user, now)
  const at = (s: number) => new Date(now.getTime() + s * 1000)
  t.match(service.verifyAccess(token, at(TTL - 1)), user, 'valid one second before exp')
  refusedAs(t, token, 'expired', at(TTL))
  refusedAs(t, token, 'expired', at(TTL + 3600))
})

t.test('an alg "none" token is refused', async (t) => {
  const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(valid)}.`
  refusedAs(t, unsigned, 'invalid')
  refusedAs(t, unsigned.slice(0, -1), 'invalid')
  refusedAs(t, `${b64({ alg: 'None', typ: 'JWT' })}.${b64(valid)}.`, 'invalid')
})

t.test('only HS256 is accepted, even with the right secret', async (t) => {
  refusedAs(t, forge(valid, 'HS512'), 'invalid')
  refusedAs(t, forge(valid, 'HS384'), 'invalid')
})

t.test('a token signed with another secret is refused', async (t) => {
  refusedAs(t, jwt.sign(valid, `${SECRET}-other`, { algorithm: 'HS256' }), 'invalid')
})

t.test('issuer and audience must be ours and present', async (t) => {
  refusedAs(t, forge({ ...valid, iss: 'someone-else' }), 'invalid')
  refusedAs(t, forge({ ...valid, aud: 'another-api' }), 'invalid')
  const { iss: _iss, ...noIss } = valid
  refusedAs(t, forge(noIss), 'invalid')
  const { aud: _aud, ...noAud } = valid
  refusedAs(t, forge(noAud), 'invalid')
  const other = createTokenService({
    secret: SECRET,
    accessTtlSeconds: TTL,
    issuer: 'dscp-staging',
    audience: 'dscp-admin',
  })
  refusedAs(t, other.signAccess(user, now).token, 'invalid')
})

t.test('a token without exp would never expire, so it is refused', async (t) => {
  const { exp: _exp, ...noExp } = valid
  refusedAs(t, forge(noExp), 'invalid')
})

t.test('a token of another kind signed with the same key is refused', async (t) => {
  refusedAs(t, forge({ ...valid, kind: 'refresh' }), 'invalid')
  const { kind: _kind, ...noKind } = valid
  refusedAs(t, forge(noKind), 'invalid')
})

t.test('claims of the wrong shape are refused', async (t) => {
  refusedAs(t, forge({ ...valid, role: 'superuser' }), 'invalid')
  refusedAs(t, forge({ ...valid, sub: '' }), 'invalid')
  refusedAs(t, forge({ ...valid, sid: 42 }), 'invalid')
  const { jti: _jti, ...noJti } = valid
  refusedAs(t, forge(noJti), 'invalid')
})

t.test('ids that are not UUIDs (a NUL byte PostgreSQL would refuse) are refused', async (t) => {
  for (const id of ['a\u0000b', `${user.sub}\u0000`, 'not-a-uuid', user.sub.toUpperCase(), ` ${user.sub}`]) {
    refusedAs(t, forge({ ...valid, sub: id }), 'invalid')
    refusedAs(t, forge({ ...valid, sid: id }), 'invalid')
    refusedAs(t, forge({ ...valid, jti: id }), 'invalid')
  }
})

t.test('a tampered payload breaks the signature', async (t) => {
  const [header, , signature] = service.signAccess(user, now).token.split('.')
  refusedAs(t, `${header}.${b64({ ...valid, role: 'admin' })}.${signature}`, 'invalid')
})

t.test('garbage is refused as invalid, never with another error', async (t) => {
  for (const junk of ['', 'garbage', 'a.b.c', '...', 'Bearer x', '{"alg":"HS256"}', 'eyJhbGciOiJIUzI1NiJ9.e30'])
    refusedAs(t, junk, 'invalid')
  refusedAs(t, undefined as unknown as string, 'invalid')
})

t.test('an over-long string is refused before parsing, even if correctly signed', async (t) => {
  refusedAs(t, 'x'.repeat(10 * 1024), 'invalid')
  // signed and otherwise valid: only the length check can refuse it
  const long = service.signAccess({ ...user, sub: 's'.repeat(MAX_ACCESS_TOKEN_LENGTH) }, now).token
  t.ok(long.length > MAX_ACCESS_TOKEN_LENGTH)
  refusedAs(t, long, 'invalid')
})

t.test('the error message never echoes the token', async (t) => {
  const token = forge({ ...valid, iss: 'evil<script>' })
  try {
    service.verifyAccess(token, now)
    t.fail('should throw')
  } catch (err) {
    t.ok(err instanceof InvalidTokenError)
    t.notMatch((err as Error).message, /evil|eyJ/)
  }
})

t.test('the service refuses a short secret and a useless lifetime', async (t) => {
  t.throws(() => createTokenService({ secret: 'x'.repeat(31), accessTtlSeconds: TTL }), RangeError)
  t.throws(() => createTokenService({ secret: SECRET, accessTtlSeconds: 0 }), RangeError)
  t.throws(() => createTokenService({ secret: SECRET, accessTtlSeconds: Number.NaN }), RangeError)
  t.equal(createTokenService({ secret: SECRET, accessTtlSeconds: 60.4 }).signAccess(user, now).expiresIn, 60)
})

t.test('refresh tokens are 256 random bits, opaque, and stored as SHA-256', async (t) => {
  const { token, hash } = newRefreshToken()
  t.match(token, /^[A-Za-z0-9_-]{43}$/, '32 bytes base64url')
  t.equal(Buffer.from(token, 'base64url').length, 32)
  t.equal(hash, createHash('sha256').update(token).digest('hex'))
  t.equal(hashRefreshToken(token), hash)
  t.equal(token.split('.').length, 1, 'not a JWT')
  const many = new Set(Array.from({ length: 1000 }, () => newRefreshToken().token))
  t.equal(many.size, 1000, 'no repeats')
})
