import { createHash, createHmac, randomBytes } from 'node:crypto'

/**
 * Refresh tokens are `<session id>.<256 random bits>`: opaque, found without a
 * lookup table, and stored only as SHA-256.
 */

/** 256 random bits (the design's floor is 128), base64url: 43 characters, and its hash. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashRefreshToken(token) }
}

/** SHA-256, hex: what the store keeps instead of the token. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

export function splitRefreshToken(token: string): { sessionId: string } | null {
  const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/.exec(token)
  return m ? { sessionId: m[1]! } : null
}

/**
 * A token's child is derived from the token (HMAC under a server key), so a
 * replay of the immediate parent inside the grace window can be answered with
 * the very same child without ever storing a token in plain text.
 */
export function childToken(key: Buffer, token: string): string {
  const sessionId = token.slice(0, 36)
  return `${sessionId}.${createHmac('sha256', key).update(token).digest('base64url')}`
}
