import { type KeyObject, createSecretKey, randomUUID } from 'node:crypto'
import jwt from 'jsonwebtoken'
import type { Role } from '../../domain/identity/user-events'
import { Lru } from '../lru'

/**
 * Access tokens are short-lived HS256 JWTs (docs/architecture.md, "Security").
 * A JWT carries `kind: 'access'` so that no other token signed with the same
 * key can pass for one. Refresh tokens are opaque: refresh-tokens.ts.
 */
export interface AccessClaims {
  sub: string
  role: Role
  sid: string
  jti: string
  /** when it was issued, in seconds (0 when a token says nothing: then it is as old as can be) */
  iat: number
}

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError'
  constructor(readonly reason: 'expired' | 'invalid') {
    // never the token or the library's words: they may echo attacker input
    super(reason === 'expired' ? 'access token expired' : 'access token invalid')
  }
}

export interface TokenServiceOptions {
  /** HMAC key material, at least 32 bytes (256 bits). */
  secret: string
  /** lifetime of an access token, in seconds (rounded to whole seconds). */
  accessTtlSeconds: number
  /** @defaultValue 'dscp' */
  issuer?: string
  /** @defaultValue 'dscp-api' */
  audience?: string
}

export interface TokenService {
  signAccess(claims: { sub: string; role: Role; sid: string }, now: Date): { token: string; expiresIn: number }
  /** The claims of a valid, unexpired access token; otherwise throws InvalidTokenError. */
  verifyAccess(token: string, now: Date): AccessClaims
}

/** Refused before parsing: ours are a few hundred characters. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096
const MIN_SECRET_BYTES = 32
/** how many verified access tokens a process remembers (a token is a few hundred bytes) */
const VERIFIED_TOKENS_KEPT = 10_000
const ALGORITHM = 'HS256'

const seconds = (d: Date) => Math.floor(d.getTime() / 1000)
const isRole = (x: unknown): x is Role => x === 'student' || x === 'admin'
// every id we sign is a UUID; anything else (a NUL byte, which PostgreSQL refuses in text) is no token of ours
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const isUuid = (x: unknown): x is string => typeof x === 'string' && UUID.test(x)

export function createTokenService(opts: TokenServiceOptions): TokenService {
  const secretBytes = Buffer.from(opts.secret, 'utf8')
  if (secretBytes.length < MIN_SECRET_BYTES)
    throw new RangeError(`token secret must be at least ${MIN_SECRET_BYTES} bytes`)
  const ttl = Math.round(opts.accessTtlSeconds)
  if (!Number.isFinite(ttl) || ttl < 1)
    throw new RangeError(`accessTtlSeconds must be at least 1, got ${opts.accessTtlSeconds}`)
  const issuer = opts.issuer ?? 'dscp'
  const audience = opts.audience ?? 'dscp-api'
  // Built once. Handed a string, jsonwebtoken would first try to parse it as a
  // public key and then rebuild a secret key on every call.
  const key: KeyObject = createSecretKey(secretBytes)
  /** tokens this service verified, with their claims: valid until `exp` */
  const verified = new Lru<string, { claims: AccessClaims; exp: number }>(VERIFIED_TOKENS_KEPT)

  return {
    signAccess({ sub, role, sid }, now) {
      const iat = seconds(now)
      const payload = {
        sub,
        role,
        sid,
        kind: 'access',
        jti: randomUUID(),
        iss: issuer,
        aud: audience,
        iat,
        exp: iat + ttl,
      }
      return { token: jwt.sign(payload, key, { algorithm: ALGORITHM }), expiresIn: ttl }
    },

    verifyAccess(token, now) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_ACCESS_TOKEN_LENGTH)
        throw new InvalidTokenError('invalid')
      // the same bytes verify the same way until they expire: a member's app sends
      // one token with every request, and checking it again cost an eighth of a mark
      const known = verified.get(token)
      if (known) {
        if (known.exp <= seconds(now)) throw new InvalidTokenError('expired')
        return known.claims
      }
      let payload: string | jwt.JwtPayload
      try {
        payload = jwt.verify(token, key, { algorithms: [ALGORITHM], issuer, audience, clockTimestamp: seconds(now) })
      } catch (err) {
        throw new InvalidTokenError(err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid')
      }
      // jsonwebtoken checks exp only when present; a token without one would live forever
      if (typeof payload !== 'object' || typeof payload.exp !== 'number' || payload['kind'] !== 'access')
        throw new InvalidTokenError('invalid')
      const { sub, role, sid, jti } = payload as Record<string, unknown>
      if (!isUuid(sub) || !isRole(role) || !isUuid(sid) || !isUuid(jti)) throw new InvalidTokenError('invalid')
      const claims = { sub, role, sid, jti, iat: typeof payload.iat === 'number' ? payload.iat : 0 }
      verified.set(token, { claims, exp: payload.exp })
      return claims
    },
  }
}
