/** What a QR code carries, signed. Times are unix seconds. */
export interface QrBody {
  /** QR session id */
  sid: string
  /** club event id */
  eid: string
  /** nonce: base64url of at least 16 random bytes */
  n: string
  iat: number
  exp: number
  /** key id: which signing key, so the key can rotate */
  kid: string
}

const NONCE_MIN_CHARS = 22 // 16 bytes in unpadded base64url
const NONCE_MAX_CHARS = 64 // keeps a payload well under QR_MAX_LENGTH

const FIELDS = ['eid', 'exp', 'iat', 'kid', 'n', 'sid'] as const
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const KID = /^[0-9a-f]{16}$/
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** base64url never has a length of 1 mod 4; such a string is not an encoding of anything. */
export const isBase64url = (s: string): boolean => BASE64URL.test(s) && s.length % 4 !== 1

export const isNonce = (n: unknown): n is string =>
  typeof n === 'string' && n.length >= NONCE_MIN_CHARS && n.length <= NONCE_MAX_CHARS && isBase64url(n)

export const isKeyId = (kid: unknown): kid is string => typeof kid === 'string' && KID.test(kid)

const isUuid = (x: unknown): x is string => typeof x === 'string' && UUID.test(x)
const isSeconds = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0

/** Why `value` is not a QrBody (exactly its fields, each of its type), or null when it is one. */
export function qrBodyProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'body is not an object'
  const keys = Object.keys(value).sort()
  if (keys.length !== FIELDS.length || keys.some((k, i) => k !== FIELDS[i])) return 'body has the wrong fields'
  const b = value as Record<string, unknown>
  if (!isUuid(b.sid)) return 'sid is not a uuid'
  if (!isUuid(b.eid)) return 'eid is not a uuid'
  if (!isNonce(b.n)) return 'nonce is malformed'
  if (!isSeconds(b.iat) || !isSeconds(b.exp)) return 'iat/exp are not unix seconds'
  if (!isKeyId(b.kid)) return 'kid is malformed'
  return null
}
