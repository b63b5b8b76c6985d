import { randomBytes } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/database'
import { migrateReadModel, useSchema } from '../db/migrate'
import { type EventStore, type Position, START } from '../store/event-store'
import { feedPages } from '../store/feed-pages'
import { applyTo } from './apply'
import { EVENT_CHAIN } from './audit/event-chain'
import { consumers, projections } from './index'
import { notificationsConsumer } from './notifications/notifications'
import { wake } from './notifications/wake'
import type { Consumer, TableName } from './projection'
import { analyzeTables } from './table-statistics'

export class UnknownProjection extends Error {
  override readonly name = 'UnknownProjection'
}

type Rebuildable = Consumer & { tables: readonly TableName[] }

/** The named read models, or every projection when none is named. The event chain is never among them: consumers() does not hold it. */
function rebuildable(names: string[]): Rebuildable[] {
  const all = consumers().filter((c): c is Rebuildable => (c.tables?.length ?? 0) > 0)
  if (names.length === 0) return all.filter((c) => projections.some((p) => p.name === c.name))
  return names.map((n) => {
    const found = all.find((c) => c.name === n)
    // re-linking the store as it is now would sign whatever was tampered with, which is what the chain exists to catch
    if (!found)
      throw new UnknownProjection(
        `${n === EVENT_CHAIN ? 'the event chain cannot be rebuilt (it would re-sign tampered events); ' : ''}rebuildable: ${all.map((c) => c.name).join(', ')}`,
      )
    return found
  })
}

/**
 * `projections rebuild [name…]`: builds the named read models aside and swaps
 * them in, while the API and the projectors keep running.
 *
 * 1. Every chosen consumer replays the whole feed into a shadow schema, batch
 *    by batch; the live tables keep serving reads meanwhile.
 * 2. One transaction locks the live checkpoints (a live runner's next
 *    compare-and-set waits on them), applies to the shadow what was appended
 *    since, replaces the live rows with the shadow's, and sets the checkpoints
 *    to where the shadow stands. Readers see the old rows until the commit and
 *    the rebuilt ones after it, never a half-built table; the waiting runner's
 *    compare-and-set then fails and it carries on from the new checkpoint.
 *
 * Rows are copied rather than tables renamed, so the `analytics` views (bound
 * to the live tables) stay valid. Catching up inside the transaction reads the
 * feed on a second connection, which a PGlite pool (one connection) cannot
 * give: there the shadow is caught up first and swapped without one more read.
 */
export async function rebuildProjections(
  db: Kysely<Database>,
  store: EventStore,
  names: string[],
  opts: { singleConnection?: boolean } = {},
): Promise<string[]> {
  const chosen = rebuildable(names)
  const shadow = `rebuild_${randomBytes(6).toString('hex')}`
  await migrateReadModel(db, shadow)
  try {
    let position: Position = START
    for await (const events of feedPages(store)) {
      await db.transaction().execute(async (trx) => {
        await useSchema(trx, shadow)
        await applyTo(trx, chosen, events)
      })
      position = events[events.length - 1]!.position
    }
    const chosenNames = chosen.map((c) => c.name)
    await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO public.projection_checkpoints (name, position) SELECT unnest(${chosenNames}::text[]), ${START} ON CONFLICT (name) DO NOTHING`.execute(
        trx,
      )
      await sql`SELECT name FROM public.projection_checkpoints WHERE name = ANY(${chosenNames}::text[]) FOR UPDATE`.execute(
        trx,
      )
      await useSchema(trx, shadow)
      if (!opts.singleConnection) {
        for await (const events of feedPages(store, position)) {
          await applyTo(trx, chosen, events)
          position = events[events.length - 1]!.position
        }
      }
      for (const table of chosen.flatMap((c) => c.tables)) {
        await sql`DELETE FROM ${sql.table(`public.${table}`)}`.execute(trx)
        await sql`INSERT INTO ${sql.table(`public.${table}`)} SELECT * FROM ${sql.table(`${shadow}.${table}`)}`.execute(
          trx,
        )
      }
      await sql`UPDATE public.projection_checkpoints SET position = ${position}, updated_at = now() WHERE name = ANY(${chosenNames}::text[])`.execute(
        trx,
      )
      // open notification streams look again (on commit): what they show may have changed
      if (chosenNames.includes(notificationsConsumer.name)) await wake(trx, ['reconnect'])
    })
    // every row of these tables was just written again: a bulk load, whose statistics are gathered at once
    await analyzeTables(
      db,
      chosen.flatMap((c) => c.tables),
    )
  } finally {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(shadow)} CASCADE`.execute(db)
  }
  return chosen.map((c) => c.name)
}
