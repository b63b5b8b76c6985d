import { sql, type Transaction } from 'kysely'
import type { Database } from '../db/database'
import type { StoredEvent } from '../store/event-store'
import { type Consumer, type Projection, type Row, type RowChange, type SetValue, isIncrement } from './projection'

/* eslint-disable @typescript-eslint/no-explicit-any -- tables are named at run time here */

/** what a change can be merged with: inserts of one shape, or pure increments of one row */
function mergeKey(c: RowChange): string | undefined {
  if (c.kind === 'insert') return `i|${c.onConflict ?? ''}|${Object.keys(c.row).join(',')}`
  if (c.kind === 'update' && Object.values(c.set).every(isIncrement))
    return `+|${JSON.stringify(c.where)}|${Object.keys(c.set).join(',')}`
  return undefined
}

const MAX_ROWS = 500

/**
 * Groups a batch's changes into statements: inserts of one shape into a
 * table become one multi-row INSERT, and increments of one row add up into
 * one UPDATE. A change joins only the LAST group of its own table, so the
 * order of the changes to any one table is kept; changes to different tables
 * may move past each other, which is safe because read tables have no foreign
 * keys or triggers. A batch of marks thus costs a statement per table, not
 * three per mark.
 */
function groupChanges(changes: RowChange[]): RowChange[][] {
  const groups: RowChange[][] = []
  const last = new Map<string, { group: RowChange[]; key: string | undefined }>()
  for (const c of changes) {
    const key = mergeKey(c)
    const open = last.get(c.table)
    if (key !== undefined && open?.key === key && open.group.length < MAX_ROWS) open.group.push(c)
    else {
      const group = [c]
      groups.push(group)
      last.set(c.table, { group, key })
    }
  }
  return groups
}

function sumIncrements(group: RowChange[]): Record<string, SetValue> {
  const set: Record<string, SetValue> = {}
  for (const c of group) {
    for (const [col, v] of Object.entries((c as { set: Record<string, SetValue> }).set)) {
      set[col] = {
        increment:
          ((set[col] as { increment: number } | undefined)?.increment ?? 0) + (v as { increment: number }).increment,
      }
    }
  }
  return set
}

/** Applies row changes; see groupChanges for the statements they become. */
export async function applyChanges(trx: Transaction<Database>, changes: RowChange[]): Promise<void> {
  const db = trx as Transaction<any>
  for (const group of groupChanges(changes)) {
    const first = group[0]!
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
              : oc
                  .columns(first.key as any)
                  .doUpdateSet(Object.fromEntries(first.update.map((c) => [c, sql.ref(`excluded.${c}`)]))),
          )
          .execute()
        break
      case 'update': {
        const set = Object.fromEntries(
          Object.entries(group.length > 1 ? sumIncrements(group) : first.set).map(([col, v]) => [
            col,
            isIncrement(v) ? sql`${sql.ref(col)} + ${v.increment}` : v,
          ]),
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
  // the runner asks wants() and then handle() with the same batch: project it once
  let last: { events: StoredEvent[]; changes: RowChange[] } | undefined
  const changesOf = (events: StoredEvent[]) => {
    if (last?.events !== events) last = { events, changes: events.flatMap((e) => projection.project(e)) }
    return last.changes
  }
  return {
    name: projection.name,
    tables: projection.tables,
    wants: (events) => changesOf(events).length > 0,
    async handle(trx, events: StoredEvent[]) {
      await applyChanges(trx, changesOf(events))
    },
  }
}

/** Every consumer handles the batch, in order, in `trx` (a rebuild or a replay into another schema). */
export async function applyTo(trx: Transaction<Database>, consumers: Consumer[], events: StoredEvent[]): Promise<void> {
  for (const c of consumers) await c.handle(trx, events)
}
