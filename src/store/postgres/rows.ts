import { type Position, START, type StoredEvent } from '../event-store'

/**
 * The adapter's rows and positions. A position is `${tx}:${position}`: the
 * writing transaction's id, then the event's sequence number, which is the
 * global feed order (docs/architecture.md, "Event store").
 */
/** An es_events row as the feed and stream queries select it. */
export interface Row {
  position: string
  tx: string
  id: string
  stream: string
  revision: string
  type: string
  data: unknown
  metadata: Record<string, unknown>
  recorded_at: Date
}

/** `${tx}:${position}`; START is before every event. */
export function encodePosition(tx: string, position: string): Position {
  return `${tx}:${position}`
}

/** the columns' ranges: `tx` is an xid8 (unsigned 64 bits), `position` a bigint */
const MAX_TX = (1n << 64n) - 1n
const MAX_POSITION = (1n << 63n) - 1n

export function decodePosition(p: Position | undefined): [tx: string, position: string] {
  if (p === undefined || p === START) return ['0', '0']
  const m = /^(\d{1,20}):(\d{1,19})$/.exec(p)
  // past a column's range the query itself would fail (a 500 on a client's cursor)
  if (!m || BigInt(m[1]!) > MAX_TX || BigInt(m[2]!) > MAX_POSITION) throw new InvalidPosition(p)
  return [m[1]!, m[2]!]
}

/** orders two positions of this store (global feed order) */
export function comparePositions(a: Position, b: Position): number {
  const [ta, pa] = decodePosition(a).map(BigInt) as [bigint, bigint]
  const [tb, pb] = decodePosition(b).map(BigInt) as [bigint, bigint]
  return ta !== tb ? (ta < tb ? -1 : 1) : pa === pb ? 0 : pa < pb ? -1 : 1
}

class InvalidPosition extends Error {
  override readonly name = 'InvalidPosition'
  constructor(readonly position: string) {
    super(`not a position of this store: ${JSON.stringify(position)}`)
  }
}

export function toStored(r: Row): StoredEvent {
  return {
    id: r.id,
    type: r.type,
    data: r.data,
    metadata: r.metadata,
    stream: r.stream,
    revision: BigInt(r.revision),
    position: encodePosition(r.tx, r.position),
    recorded_at: r.recorded_at instanceof Date ? r.recorded_at : new Date(r.recorded_at),
  }
}
