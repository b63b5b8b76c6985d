import { createHash } from 'node:crypto'

/** RFC 4122 version-5 UUID of `name` in `namespace` (16 bytes): the same inputs always give the same id. */
export function uuidV5(namespace: Buffer, name: string): string {
  const h = createHash('sha1').update(namespace).update(name, 'utf8').digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const hex = h.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
