import type { Kysely } from 'kysely'
import type { Database } from '../db/database'
import { consumers, projections } from '../projections'
import { EVENT_CHAIN } from '../projections/audit-chain'
import type { Consumer } from '../projections/projection'
import { resetConsumer } from '../projections/runner'

export class UnknownProjection extends Error {
  override readonly name = 'UnknownProjection'
}

/**
 * `projections rebuild [name…]`: empties the named read models (all of them
 * when none is named) and puts their checkpoints back to the start, each in
 * one transaction. Live runners fail their next compare-and-set and replay
 * from position 0, so this is safe while the projector runs.
 *
 * The event chain is never rebuilt this way: re-linking the store as it is
 * now would sign whatever was tampered with, which is what the chain exists to catch.
 */
export async function rebuildProjections(db: Kysely<Database>, names: string[]): Promise<string[]> {
  const rebuildable = consumers().filter((c): c is Consumer & { tables: readonly string[] } => c.name !== EVENT_CHAIN && (c.tables?.length ?? 0) > 0)
  const chosen = names.length === 0 ? rebuildable.filter((c) => projections.some((p) => p.name === c.name)) : names.map((n) => {
    const found = rebuildable.find((c) => c.name === n)
    if (!found) throw new UnknownProjection(`${n === EVENT_CHAIN ? 'the event chain cannot be rebuilt (it would re-sign tampered events); ' : ''}rebuildable: ${rebuildable.map((c) => c.name).join(', ')}`)
    return found
  })
  for (const c of chosen) await resetConsumer(db, c)
  return chosen.map((c) => c.name)
}
