import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { isBase64url, qrBodyProblem, type QrBody } from './body'
import type { QrIssued } from './events'

const QR_VERSION = 'v1'
/** Longer strings are refused before any parsing: no work for a padded attack. */
export const QR_MAX_LENGTH = 512
/** Tolerated lead of the issuer's clock over ours when checking `iat`. */
const QR_CLOCK_SKEW_SECONDS = 5
export const QR_MAX_LIFETIME_SECONDS = 3600
const SIGNATURE_BYTES = 32

export type QrVerifyResult =
  | { ok: true; body: QrBody }
  /** `body` is set only when the signature checked out and the time did not: the audit log may name the session. */
  | { ok: false; code: 'qr_invalid' | 'qr_expired'; reason: string; body?: QrBody }

export interface QrKeys {
  current: string
  /** the key before a rotation: payloads it signed keep verifying until they expire */
  previous?: string
}

/** every scan needs the ids of both keys: a hash each, the same every time */
const keyIds = new Map<string, string>()
const KEY_IDS_KEPT = 16

/**
 * Derived from the secret, so rotating needs no configured ids. Publishing 64
 * bits of its hash tells an attacker nothing the HMAC itself does not.
 */
export function keyId(secret: string): string {
  let id = keyIds.get(secret)
  if (id === undefined) {
    id = createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16)
    // a process has one or two secrets; the bound only guards a caller that keeps inventing them
    if (keyIds.size >= KEY_IDS_KEPT) keyIds.clear()
    keyIds.set(secret, id)
  }
  return id
}

const mac = (secret: string, signedPart: string): Buffer =>
  createHmac('sha256', secret).update(signedPart, 'utf8').digest()

export function signQrPayload(body: Omit<QrBody, 'kid'>, secret: string): string {
  if (secret === '') throw new Error('QR signing secret is empty')
  // a fixed field order, and nothing the caller added beyond the body
  const full: QrBody = { sid: body.sid, eid: body.eid, n: body.n, iat: body.iat, exp: body.exp, kid: keyId(secret) }
  const problem = qrBodyProblem(full)
  if (problem) throw new Error(`cannot sign an invalid QR body: ${problem}`)
  const signed = `${QR_VERSION}.${Buffer.from(JSON.stringify(full), 'utf8').toString('base64url')}`
  const payload = `${signed}.${mac(secret, signed).toString('base64url')}`
  if (payload.length > QR_MAX_LENGTH) throw new Error('QR payload would exceed QR_MAX_LENGTH')
  return payload
}

const invalid = (reason: string): QrVerifyResult => ({ ok: false, code: 'qr_invalid', reason })

/**
 * Node decodes base64url leniently: it skips stray characters and ignores the
 * unused low bits of the last one, so two strings can decode to one signature.
 * Only the canonical spelling is accepted, so any changed character is refused.
 */
function decodeCanonical(part: string): Buffer | null {
  const bytes = Buffer.from(part, 'base64url')
  return bytes.toString('base64url') === part ? bytes : null
}

function verifyUnsafe(payload: unknown, keys: QrKeys, now: Date): QrVerifyResult {
  if (typeof payload !== 'string') return invalid('not a string')
  if (payload.length > QR_MAX_LENGTH) return invalid('too long')
  const parts = payload.split('.')
  if (parts.length !== 3) return invalid('not three parts')
  const [version, bodyPart = '', sigPart = ''] = parts
  if (version !== QR_VERSION) return invalid('unknown version')
  if (!isBase64url(bodyPart) || !isBase64url(sigPart)) return invalid('not base64url')

  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(bodyPart, 'base64url').toString('utf8'))
  } catch {
    return invalid('body is not JSON')
  }
  const problem = qrBodyProblem(parsed)
  if (problem) return invalid(problem)
  const body = parsed as QrBody

  // an empty secret would verify anything signed with an empty key: never a key
  const secret = [keys.current, keys.previous].find((k) => typeof k === 'string' && k !== '' && keyId(k) === body.kid)
  if (secret === undefined) return invalid('unknown key id')

  const given = decodeCanonical(sigPart)
  // timingSafeEqual throws on unequal lengths: check first
  if (given === null || given.length !== SIGNATURE_BYTES) return invalid('malformed signature')
  if (!timingSafeEqual(given, mac(secret, `${version}.${bodyPart}`))) return invalid('bad signature')

  const nowMs = now.getTime()
  if (!Number.isFinite(nowMs)) return invalid('no server time')
  if (body.iat * 1000 > nowMs + QR_CLOCK_SKEW_SECONDS * 1000)
    return { ok: false, code: 'qr_invalid', reason: 'issued in the future', body }
  if (body.exp * 1000 <= nowMs) return { ok: false, code: 'qr_expired', reason: 'expired', body }
  const lifetime = body.exp - body.iat
  if (lifetime <= 0 || lifetime > QR_MAX_LIFETIME_SECONDS)
    return { ok: false, code: 'qr_invalid', reason: 'lifetime out of bounds', body }
  return { ok: true, body }
}

/** Checks a scanned payload; never throws, whatever it is given. */
export function verifyQrPayload(payload: unknown, keys: QrKeys, now: Date): QrVerifyResult {
  try {
    return verifyUnsafe(payload, keys, now)
  } catch {
    // fail closed: a bug or an odd input (a hostile `now`) must not become a server error or a pass
    return invalid('unverifiable')
  }
}

const unixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000)

/**
 * The string a QR session's code encodes, rebuilt from its event whenever it
 * is needed, so the payload itself is never stored. It is signed with `secret`
 * (the current key): after a rotation the kid it carries may differ from the
 * event's key_id, and it still verifies.
 */
export function qrPayloadFor(issued: QrIssued['data'], secret: string): string {
  return signQrPayload(
    {
      sid: issued.qr_session_id,
      eid: issued.club_event_id,
      n: issued.nonce,
      iat: unixSeconds(issued.issued_at),
      exp: unixSeconds(issued.expires_at),
    },
    secret,
  )
}
