import t, { type Test } from 'tap'
import { createHmac } from 'node:crypto'
import type { QrBody } from '../../../src/domain/qr/body'
import {
  keyId,
  QR_MAX_LENGTH,
  signQrPayload,
  verifyQrPayload,
  type QrVerifyResult,
} from '../../../src/domain/qr/signing'

const SECRET = 'current-qr-secret-0123456789abcdef0123456789abcdef'
const OLD_SECRET = 'previous-qr-secret-fedcba9876543210fedcba98765432'
const KEYS = { current: SECRET }
const NOW = new Date('2025-03-01T12:00:00.000Z')
const NOW_S = NOW.getTime() / 1000
const BODY = {
  sid: '0b6f4a52-8d43-4c2e-9a51-3f1d2c7e9b10',
  eid: '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e',
  n: 'q3Zb8yL0cX1r9TfW2mKp4A', // 16 bytes
  iat: NOW_S,
  exp: NOW_S + 60,
}
const payload = signQrPayload(BODY, SECRET)
const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Signs anything, bypassing signQrPayload's checks: what an attacker (or a key holder's bug) could produce. */
function forge(body: unknown, macKey: string, version = 'v1'): string {
  const signed = `${version}.${Buffer.from(JSON.stringify(body)).toString('base64url')}`
  return `${signed}.${createHmac('sha256', macKey).update(signed).digest('base64url')}`
}

/** The catch-all's reason: seeing it means an input reached code that threw, which a check should have stopped first. */
const SAFETY_NET = 'unverifiable'

const refused = (t: Test, result: QrVerifyResult, code: 'qr_invalid' | 'qr_expired', msg = `refused as ${code}`) =>
  t.match(result, { ok: false, code }, msg)

t.test("keyId is the first 16 hex characters of the secret's SHA-256", async (t) => {
  t.equal(keyId('abc'), 'ba7816bf8f01cfea') // sha256("abc") = ba7816bf8f01cfea…
  t.match(keyId(SECRET), /^[0-9a-f]{16}$/)
  t.not(keyId(SECRET), keyId(OLD_SECRET))
})

t.test('a signed payload is versioned, URL-safe, short, and verifies to its body', async (t) => {
  t.match(payload, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
  t.ok(payload.length <= QR_MAX_LENGTH)
  t.same(verifyQrPayload(payload, KEYS, NOW), { ok: true, body: { ...BODY, kid: keyId(SECRET) } })
})

t.test('changing any single character of a real payload is refused as qr_invalid', async (t) => {
  let flips = 0
  const notRefused: string[] = []
  for (let i = 0; i < payload.length; i++) {
    for (const c of B64URL_ALPHABET + '.=+/ ') {
      if (c === payload[i]) continue
      const flipped = payload.slice(0, i) + c + payload.slice(i + 1)
      const r = verifyQrPayload(flipped, KEYS, NOW)
      flips++
      if (r.ok || r.code !== 'qr_invalid') notRefused.push(`${i}:${c}`)
    }
  }
  t.same(notRefused, [], `all ${flips} single-character changes refused`)
})

t.test('a signature spelled another way that decodes to the same bytes is refused', async (t) => {
  // 32 bytes take 43 base64url characters, leaving 2 unused bits in the last one
  const sig = payload.slice(payload.lastIndexOf('.') + 1)
  const twin = [...B64URL_ALPHABET]
    .map((c) => sig.slice(0, -1) + c)
    .find((s) => s !== sig && Buffer.from(s, 'base64url').equals(Buffer.from(sig, 'base64url')))
  if (twin === undefined) throw new Error('no twin spelling found')
  refused(t, verifyQrPayload(payload.slice(0, payload.length - sig.length) + twin, KEYS, NOW), 'qr_invalid')
})

t.test('a payload signed with another key is refused', async (t) => {
  refused(
    t,
    verifyQrPayload(signQrPayload(BODY, 'some-other-secret-entirely-000000000'), KEYS, NOW),
    'qr_invalid',
    'unknown kid',
  )
  // claiming our key id does not help without our key
  const forged = forge({ ...BODY, kid: keyId(SECRET) }, 'attacker-key')
  t.match(verifyQrPayload(forged, KEYS, NOW), { ok: false, code: 'qr_invalid', reason: 'bad signature' })
})

t.test('during a key rotation the previous key still verifies, and stops once dropped', async (t) => {
  const old = signQrPayload(BODY, OLD_SECRET)
  t.same(verifyQrPayload(old, { current: SECRET, previous: OLD_SECRET }, NOW), {
    ok: true,
    body: { ...BODY, kid: keyId(OLD_SECRET) },
  })
  refused(t, verifyQrPayload(old, { current: SECRET }, NOW), 'qr_invalid')
  t.ok(verifyQrPayload(payload, { current: SECRET, previous: OLD_SECRET }, NOW).ok, 'the current key still works')
})

t.test('an empty secret is never a key', async (t) => {
  refused(t, verifyQrPayload(forge({ ...BODY, kid: keyId('') }, ''), { current: '', previous: '' }, NOW), 'qr_invalid')
  t.throws(() => signQrPayload(BODY, ''))
})

t.test('malformed payloads are refused as qr_invalid, never thrown', async (t) => {
  const [v, body, sig = ''] = payload.split('.')
  const cases: Record<string, unknown> = {
    'truncated signature': payload.slice(0, -1),
    'signature cut to 40 characters': `${v}.${body}.${sig.slice(0, 40)}`,
    'signature with padding': `${payload}=`,
    'signature too long': `${payload}AAAA`,
    'empty signature': `${v}.${body}.`,
    'standard base64 characters': `${v}.${body}+/.${sig}`,
    'non-base64 characters': `${v}.${body}!.${sig}`,
    'empty string': '',
    'a 10 KB string': 'A'.repeat(10 * 1024),
    'two parts': `${v}.${body}`,
    'four parts': `${payload}.x`,
    'another version': payload.replace(/^v1/, 'v2'),
    'body not JSON': `v1.${Buffer.from('{nope').toString('base64url')}.${sig}`,
    null: null,
    undefined: undefined,
    number: 42,
    object: { payload },
    array: [payload],
    buffer: Buffer.from(payload),
    boolean: true,
  }
  for (const [name, input] of Object.entries(cases)) {
    let r: QrVerifyResult | undefined
    t.doesNotThrow(() => (r = verifyQrPayload(input, KEYS, NOW)), name)
    t.match(r, { ok: false, code: 'qr_invalid' }, name)
    t.not((r as { reason?: string } | undefined)?.reason, SAFETY_NET, `${name}: refused by a check, not the safety net`)
  }
  t.equal(
    (verifyQrPayload('A'.repeat(10 * 1024), KEYS, NOW) as { reason: string }).reason,
    'too long',
    'refused before parsing',
  )
})

t.test('a body correctly signed but not of the exact shape is refused', async (t) => {
  const kid = keyId(SECRET)
  const good: QrBody = { ...BODY, kid }
  const bodies: Record<string, unknown> = {
    'an extra field': { ...good, role: 'admin' },
    'a missing field': { sid: good.sid, eid: good.eid, n: good.n, iat: good.iat, exp: good.exp },
    'sid not a uuid': { ...good, sid: 'abc' },
    'eid not a uuid': { ...good, eid: 12 },
    'a nonce of 15 bytes': { ...good, n: Buffer.alloc(15, 7).toString('base64url') },
    'a nonce of 49 bytes': { ...good, n: Buffer.alloc(49, 7).toString('base64url') },
    'a nonce outside base64url': { ...good, n: 'q3Zb8yL0cX1r9TfW2mKp4A+' },
    'iat a string': { ...good, iat: String(good.iat) },
    'exp fractional': { ...good, exp: good.exp + 0.5 },
    'kid malformed': { ...good, kid: 'KID' },
    'an array': [good],
    null: null,
  }
  for (const [name, body] of Object.entries(bodies))
    refused(t, verifyQrPayload(forge(body, SECRET), KEYS, NOW), 'qr_invalid', name)
  t.ok(verifyQrPayload(forge(good, SECRET), KEYS, NOW).ok, 'the forge helper makes valid payloads from a valid body')
  refused(t, verifyQrPayload(forge(good, SECRET, 'v2'), KEYS, NOW), 'qr_invalid', 'a signed v2')
})

t.test('time is judged by the server clock', async (t) => {
  const at = (ms: number) => new Date(NOW.getTime() + ms)
  t.ok(verifyQrPayload(payload, KEYS, at(59_999)).ok, 'valid until the last millisecond')
  t.match(
    verifyQrPayload(payload, KEYS, at(60_000)),
    { ok: false, code: 'qr_expired', body: { sid: BODY.sid } },
    'expired at exp',
  )
  refused(t, verifyQrPayload(payload, KEYS, at(3600_000)), 'qr_expired', 'long expired')

  const future = signQrPayload({ ...BODY, iat: NOW_S + 6, exp: NOW_S + 66 }, SECRET)
  t.match(verifyQrPayload(future, KEYS, NOW), { ok: false, code: 'qr_invalid', reason: 'issued in the future' })
  const skewed = signQrPayload({ ...BODY, iat: NOW_S + 5, exp: NOW_S + 65 }, SECRET)
  t.ok(verifyQrPayload(skewed, KEYS, NOW).ok, '5 s of issuer clock lead is tolerated')

  t.ok(
    verifyQrPayload(signQrPayload({ ...BODY, exp: NOW_S + 3600 }, SECRET), KEYS, NOW).ok,
    'an hour is the longest life',
  )
  refused(
    t,
    verifyQrPayload(signQrPayload({ ...BODY, exp: NOW_S + 3601 }, SECRET), KEYS, NOW),
    'qr_invalid',
    'longer than an hour',
  )
  refused(
    t,
    verifyQrPayload(signQrPayload({ ...BODY, iat: NOW_S + 3, exp: NOW_S + 2 }, SECRET), KEYS, NOW),
    'qr_invalid',
    'exp before iat',
  )
  refused(t, verifyQrPayload(payload, KEYS, new Date(Number.NaN)), 'qr_invalid', 'an invalid server time fails closed')
})

t.test('signQrPayload refuses to sign a body that could never verify', async (t) => {
  t.throws(() => signQrPayload({ ...BODY, n: Buffer.alloc(15).toString('base64url') }, SECRET))
  t.throws(() => signQrPayload({ ...BODY, sid: 'not-a-uuid' }, SECRET))
  t.throws(() => signQrPayload({ ...BODY, iat: 1.5 }, SECRET))
})

t.test('fuzz: no input makes verify throw or pass', async (t) => {
  // a seeded generator, so a failure is reproducible
  let seed = 0x9e3779b9
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const pick = (s: string) => s[Math.floor(rand() * s.length)] ?? ''
  const chars = B64URL_ALPHABET + '.=+/ {}"\\\u0000\u00e9\ud800😀'
  const mutate = (s: string) => {
    const i = Math.floor(rand() * s.length)
    switch (Math.floor(rand() * 4)) {
      case 0:
        return s.slice(0, i) + s.slice(i + 1)
      case 1:
        return s.slice(0, i) + pick(chars) + s.slice(i)
      case 2:
        return s.slice(0, i) + pick(chars) + s.slice(i + 1)
      default:
        return (
          s.slice(0, i) +
          s
            .slice(i, i + 8)
            .split('')
            .reverse()
            .join('') +
          s.slice(i + 8)
        )
    }
  }
  let passed = 0
  const caught: string[] = []
  for (let k = 0; k < 20_000; k++) {
    let input: string
    if (k % 2 === 0) {
      input = payload
      const n = 1 + Math.floor(rand() * 4)
      for (let j = 0; j < n; j++) input = mutate(input)
    } else {
      input = Array.from({ length: Math.floor(rand() * 600) }, () => pick(chars)).join('')
    }
    if (input === payload) continue
    const r = verifyQrPayload(input, KEYS, NOW) // a throw fails the test
    if (r.ok) passed++
    else if (r.reason === SAFETY_NET) caught.push(input)
  }
  t.equal(passed, 0, 'no mutated or random string verified')
  t.same(caught, [], 'every refusal came from a check, none from the safety net')
})
