import type { Position as EsdbPosition } from '@eventstore/db-client'
import type { Position } from '../event-store'
import { START } from '../event-store'

/**
 * ESDB's place in $all is a (commit, prepare) pair of log positions. The port
 * wants an opaque string; the `esdb:` prefix makes sure a checkpoint written by
 * the PostgreSQL adapter (`${tx}:${position}`) is refused here, and ours there,
 * instead of being read as a different place in a different log.
 */
const PATTERN = /^esdb:(\d{1,20}):(\d{1,20})$/
const MAX_U64 = (1n << 64n) - 1n

export class InvalidPosition extends Error {
  override readonly name = 'InvalidPosition'
  constructor(readonly position: string) {
    super(`not a position of this store (EventStoreDB): ${JSON.stringify(position)}`)
  }
}

export function encodePosition(p: EsdbPosition): Position {
  if (p.commit < 0n || p.prepare < 0n || p.commit > MAX_U64 || p.prepare > MAX_U64) {
    throw new RangeError(`EventStoreDB position out of range: ${p.commit}/${p.prepare}`)
  }
  return `esdb:${p.commit}:${p.prepare}`
}

/** undefined for START (before everything); throws InvalidPosition for anything not ours. */
export function decodePosition(p: Position | undefined): EsdbPosition | undefined {
  if (p === undefined || p === START) return undefined
  const m = PATTERN.exec(p)
  if (!m) throw new InvalidPosition(p)
  const position = { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) }
  if (position.commit > MAX_U64 || position.prepare > MAX_U64) throw new InvalidPosition(p)
  return position
}

/** $all order: by commit position, then prepare position. */
export function isAfter(a: EsdbPosition, b: EsdbPosition | undefined): boolean {
  if (b === undefined) return true
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare)
}
