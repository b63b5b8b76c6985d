import { type Transaction, sql } from 'kysely'
import type { Database } from '../db/database'
import type { DomainEvent } from '../domain/decider'
import type { StoredEvent } from '../store/event-store'
import { type Loose, groupChanges } from './group-changes'
import { insertRows, jsonRows } from './json-rows'
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

/** A statement to be: a group of changes (groupChanges), with the rows an insert or upsert writes. */
interface Step {
  group: Loose[]
  rows: Row[]
}

/**
 * Row changes as the statements they become, with every insert's rows already
 * JSON text (jsonRows): the work that needs no database, done before the
 * transaction that applies them opens.
 */
function planChanges<DB = Database>(changes: readonly RowChange<DB>[]): Step[] {
  return groupChanges(changes as readonly Loose[]).map((group) => {
    const rows = group.flatMap((c) => (c.kind === 'insert' || c.kind === 'upsert' ? [c.row] : []))
    if (rows.length > 0) jsonRows(rows)
    return { group, rows }
  })
}

/** Applies one group; an increment that found no row is returned, not dropped unseen. */
async function applyGroup(db: Transaction<any>, { group, rows }: Step): Promise<MissedIncrement | undefined> {
  const first = group[0]!
  switch (first.kind) {
    case 'insert': {
      await insertRows(db, first.table, rows, first.onConflict === 'nothing' ? sql`ON CONFLICT DO NOTHING` : undefined)
      return
    }
    case 'upsert': {
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
export function applyChanges<DB = Database>(
  trx: Transaction<any>,
  changes: readonly RowChange<DB>[],
): Promise<MissedIncrement[]> {
  return applyPlan(trx, planChanges(changes))
}

/** Applies planned statements (planChanges) in `trx`, in order; returns the increments that found no row. */
async function applyPlan(trx: Transaction<any>, plan: Step[]): Promise<MissedIncrement[]> {
  const missed: MissedIncrement[] = []
  for (const step of plan) {
    const miss = await applyGroup(trx, step)
    if (miss) missed.push(miss)
  }
  return missed
}

/** events projected at a time before the event loop may answer the database (the batch being written) */
const SLICE = 50

/**
 * The batch's row changes, projected a slice at a time: the runner projects
 * a batch while the one before it is being written, and that transaction
 * goes no further than its last statement until this process reads the
 * answer. One 500-event stretch of work held each statement up by about ten
 * milliseconds, and the write path took as long as the two together.
 */
async function projectInSlices<E extends DomainEvent, DB>(
  projection: Projection<E, DB>,
  events: StoredEvent[],
): Promise<RowChange<DB>[]> {
  const changes: RowChange<DB>[] = []
  for (const [i, e] of events.entries()) {
    if (i > 0 && i % SLICE === 0) await new Promise(setImmediate)
    if (handles(projection, e)) changes.push(...projection.project(e))
  }
  return changes
}

/** A projection as something the runner can drive. */
export function projectionConsumer<E extends DomainEvent, DB = Database>(projection: Projection<E, DB>): Consumer {
  // the runner asks wants() and then handle() with the same batch: project and plan it once, in
  // wants(), before its transaction (the next batch may be asked about before this one is handled)
  const planned = new WeakMap<StoredEvent[], Promise<Step[]>>()
  const planOf = (events: StoredEvent[]) => {
    let plan = planned.get(events)
    if (!plan) {
      plan = projectInSlices(projection, events).then(planChanges)
      planned.set(events, plan)
    }
    return plan
  }
  return {
    name: projection.name,
    tables: projection.tables as Consumer['tables'],
    // a projection's rows are a function of the events
    replayable: true,
    deferIndexes: projection.deferIndexes,
    wants: async (events) => (await planOf(events)).length > 0,
    handle: async (trx, events: StoredEvent[]) => applyPlan(trx, await planOf(events)),
  }
}

/** Every consumer handles the batch, in order, in `trx` (a rebuild or a replay into another schema). */
export async function applyTo(trx: Transaction<Database>, consumers: Consumer[], events: StoredEvent[]): Promise<void> {
  for (const c of consumers) await c.handle(trx, events)
}
