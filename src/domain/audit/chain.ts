import { createHmac } from 'node:crypto'

/**
 * Tamper evidence for the event store: a hash chain over the global feed,
 * link(n) = HMAC-SHA256(key, link(n-1) || canonical(event n)), link(-1) = ''.
 *
 * Why an HMAC and not a plain SHA-256 chain: whoever can UPDATE es_events can
 * also UPDATE event_chain, and with a plain hash they could recompute every
 * link after their edit, leaving a chain that verifies. The key lives in the
 * process' configuration, never in the database, so a database writer cannot
 * forge a link. (A writer who also holds the key, or who cuts the same tail
 * off both tables, is out of reach of any chain kept beside the data: compare
 * the head link with a copy kept elsewhere — `audit verify` prints it.)
 */

/** The bytes of the key, derived so that a chain key is never used for anything else. */
export function chainKey(config: { auditChainSecret?: string | undefined; jwtSecret: string }): Buffer {
  return createHmac('sha256', config.auditChainSecret ?? config.jwtSecret)
    .update('dscp audit-chain v1')
    .digest()
}

/** JSON with object keys sorted at every depth: jsonb does not keep key order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null'
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const o = value as Record<string, unknown>
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
}

/** What a link covers: everything stored about the event except its position (the chain's own order covers that). */
/** What the chain covers of a stored event (a StoredEvent has all of it). */
export interface ChainedEvent {
  id: string
  stream: string
  revision: bigint
  type: string
  data: unknown
  metadata: unknown
  recorded_at: Date
}

export function canonicalEvent(e: ChainedEvent): string {
  return canonicalJson({
    id: e.id,
    stream: e.stream,
    revision: e.revision.toString(),
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    recorded_at: e.recorded_at.toISOString(),
  })
}

export function chainLink(key: Buffer, previous: string, event: ChainedEvent): string {
  return createHmac('sha256', key).update(previous, 'utf8').update(canonicalEvent(event), 'utf8').digest('hex')
}

export const GENESIS = ''
