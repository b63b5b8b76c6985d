import { type Transaction, sql } from 'kysely'
import type { Database } from '../db/database'
import type { DomainEvent } from '../domain/decider'
import type { StoredEvent } from '../store/event-store'
import { type Loose, groupChanges } from './group-changes'
import { insertRows } from './json-rows'
import {
  type Consumer,
  type Increment,
  type MissedIncrement,
  type Projection,
  type RowChange,
  handles,
  isIncrement,
} from './projection'

/* eslint-disable @typescript-eslint/no-explicit-any -- the interpreter names tables at run time; RowChange typed them */

type Row = Record<string, unknown>

/** The increments of a merged group added up column by column (mergeKey let in only pure increments). */
function sumIncrements(group: Loose[]): Record<string, Increment> {
  const set: Record<string, Increment> = {}
  for (const c of group) {
    if (c.kind !== 'update') continue
    for (const [col, v] of Object.entries(c.set)) {
      if (isIncrement(v)) set[col] = { increment: (set[col]?.increment ?? 0) + v.increment }
    }
  }
  return set
}

const whereAll = <Q extends { where: (...args: any[]) => Q }>(q: Q, where: Row): Q =>
  Object.entries(where).reduce((acc, [col, v]) => acc.where(col, v === null ? 'is' : '=', v), q)

/** Applies one group; an increment that found no row is returned, not dropped unseen. */
async function applyGroup(db: Transaction<any>, group: Loose[]): Promise<MissedIncrement | undefined> {
  const first = group[0]!
  switch (first.kind) {
    case 'insert': {
      const rows = group.flatMap((c) => (c.kind === 'insert' ? [c.row] : []))
      await insertRows(db, first.table, rows, first.onConflict === 'nothing' ? sql`ON CONFLICT DO NOTHING` : undefined)
      return
    }
    case 'upsert': {
      const rows = group.flatMap((c) => (c.kind === 'upsert' ? [c.row] : []))
      const set = [
        ...first.update.map((c) => sql`${sql.id(c)} = ${sql.ref(`excluded.${c}`)}`),
        ...(first.increment ?? []).map(
          (c) => sql`${sql.id(c)} = ${sql.ref(`${first.table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`,
        ),
      ]
      const action = set.length === 0 ? sql`DO NOTHING` : sql`DO UPDATE SET ${sql.join(set)}`
      await insertRows(db, first.table, rows, sql`ON CONFLICT (${sql.join(first.key.map((c) => sql.id(c)))}) ${action}`)
      return
    }
    case 'update': {
      const changes = group.length > 1 ? sumIncrements(group) : first.set
      const set = Object.fromEntries(
        Object.entries(changes).map(([col, v]) => [col, isIncrement(v) ? sql`${sql.ref(col)} + ${v.increment}` : v]),
      )
      const { numUpdatedRows } = await whereAll(db.updateTable(first.table).set(set), first.where).executeTakeFirst()
      const increments = Object.entries(changes).flatMap(([col, v]) => (isIncrement(v) ? [[col, v.increment]] : []))
      if (numUpdatedRows === 0n && increments.length > 0)
        return { table: first.table, where: first.where, increments: Object.fromEntries(increments) }
      return
    }
    case 'delete':
      await whereAll(db.deleteFrom(first.table), first.where).execute()
      return
    default: {
      const never: never = first
      throw new Error(`unknown row change ${JSON.stringify(never)}`)
    }
  }
}

/** Applies row changes in `trx` (see groupChanges for the statements they become); returns the increments that found no row. */
export async function applyChanges<DB = Database>(
  trx: Transaction<any>,
  changes: readonly RowChange<DB>[],
): Promise<MissedIncrement[]> {
  const missed: MissedIncrement[] = []
  for (const group of groupChanges(changes as readonly Loose[])) {
    const miss = await applyGroup(trx, group)
    if (miss) missed.push(miss)
  }
  return missed
}

/** A projection as something the runner can drive. */
export function projectionConsumer<E extends DomainEvent, DB = Database>(projection: Projection<E, DB>): Consumer {
  // the runner asks wants() and then handle() with the same batch: project it once
  let last: { events: StoredEvent[]; changes: RowChange<DB>[] } | undefined
  const changesOf = (events: StoredEvent[]) => {
    if (last?.events !== events) {
      const changes = events.flatMap((e) => (handles(projection, e) ? projection.project(e) : []))
      last = { events, changes }
    }
    return last.changes
  }
  return {
    name: projection.name,
    tables: projection.tables as Consumer['tables'],
    wants: (events) => changesOf(events).length > 0,
    handle: (trx, events: StoredEvent[]) => applyChanges(trx, changesOf(events)),
  }
}

/** Every consumer handles the batch, in order, in `trx` (a rebuild or a replay into another schema). */
export async function applyTo(trx: Transaction<Database>, consumers: Consumer[], events: StoredEvent[]): Promise<void> {
  for (const c of consumers) await c.handle(trx, events)
}
