import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * A short-lived download link a plain browser can follow (no bearer header):
 * `GET /api/resources/<id>/download?uid=<member>&exp=<unix seconds>&sig=<mac>`,
 * the MAC an HMAC-SHA256 over the resource, the member and the expiry under a
 * key of its own (derived from JWT_SECRET, never the JWT key itself). The
 * member is named so that a link stops working when they stop being one.
 */
export interface DownloadLink {
  resource_id: string
  user_id: string
  /** unix seconds */
  exp: number
}

const VERSION = 'dscp-resource-download-v1'
const SIG = /^[A-Za-z0-9_-]{43}$/

const mac = (key: Buffer, l: DownloadLink) =>
  createHmac('sha256', key).update(`${VERSION}\n${l.resource_id}\n${l.user_id}\n${l.exp}`, 'utf8').digest()

export function signDownload(key: Buffer, link: DownloadLink): string {
  return mac(key, link).toString('base64url')
}

/** The signature first (a stranger learns nothing, not even whether a link expired), then the time. */
export function verifyDownload(
  key: Buffer,
  link: DownloadLink,
  sig: string,
  nowSeconds: number,
): 'ok' | 'invalid' | 'expired' {
  if (!SIG.test(sig)) return 'invalid'
  // compared as text: base64url's last character carries two spare bits, so decoding first
  // would take four spellings of one signature
  const given = Buffer.from(sig, 'ascii')
  const expected = Buffer.from(signDownload(key, link), 'ascii')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid'
  return link.exp < nowSeconds ? 'expired' : 'ok'
}
