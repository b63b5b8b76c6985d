import { sql, type Transaction } from 'kysely'
import type { Database } from '../db/database'
import type { StoredEvent } from '../store/event-store'
import { type Consumer, type Projection, type Row, type RowChange, isIncrement } from './projection'

/* eslint-disable @typescript-eslint/no-explicit-any -- tables are named at run time here */

function insertShape(c: RowChange): string | undefined {
  return c.kind === 'insert' ? `${c.table}|${c.onConflict ?? ''}|${Object.keys(c.row).join(',')}` : undefined
}

/**
 * Applies row changes in order. Consecutive inserts of one shape become one
 * multi-row statement, which is what makes a rebuild fast. (Upserts stay one
 * by one: ON CONFLICT refuses a statement that touches one key twice.)
 */
export async function applyChanges(trx: Transaction<Database>, changes: RowChange[]): Promise<void> {
  const db = trx as Transaction<any>
  let i = 0
  while (i < changes.length) {
    const first = changes[i]!
    const key = insertShape(first)
    let j = i + 1
    if (key) while (j < changes.length && j - i < 500 && insertShape(changes[j]!) === key) j++
    const group = changes.slice(i, j)
    i = j
    switch (first.kind) {
      case 'insert': {
        const rows = group.map((c) => (c as { row: Row }).row)
        let q = db.insertInto(first.table).values(rows)
        if (first.onConflict === 'nothing') q = q.onConflict((oc) => oc.doNothing())
        await q.execute()
        break
      }
      case 'upsert':
        await db
          .insertInto(first.table)
          .values(first.row)
          .onConflict((oc) =>
            first.update.length === 0
              ? oc.columns(first.key as any).doNothing()
              : oc.columns(first.key as any).doUpdateSet(Object.fromEntries(first.update.map((c) => [c, sql.ref(`excluded.${c}`)]))),
          )
          .execute()
        break
      case 'update': {
        const set = Object.fromEntries(
          Object.entries(first.set).map(([col, v]) => [col, isIncrement(v) ? sql`${sql.ref(col)} + ${v.increment}` : v]),
        )
        let q = db.updateTable(first.table).set(set)
        for (const [col, v] of Object.entries(first.where)) q = q.where(col, v === null ? 'is' : '=', v as any)
        await q.execute()
        break
      }
      case 'delete': {
        let q = db.deleteFrom(first.table)
        for (const [col, v] of Object.entries(first.where)) q = q.where(col, v === null ? 'is' : '=', v as any)
        await q.execute()
        break
      }
      default: {
        const never: never = first
        throw new Error(`unknown row change ${JSON.stringify(never)}`)
      }
    }
  }
}

/** A projection as something the runner can drive. */
export function projectionConsumer(projection: Projection): Consumer {
  return {
    name: projection.name,
    tables: projection.tables,
    async handle(trx, events: StoredEvent[]) {
      await applyChanges(trx, events.flatMap((e) => projection.project(e)))
    },
  }
}

/** Every consumer handles the batch, in order, in `trx` (a rebuild or a replay into another schema). */
export async function applyTo(trx: Transaction<Database>, consumers: Consumer[], events: StoredEvent[]): Promise<void> {
  for (const c of consumers) await c.handle(trx, events)
}
