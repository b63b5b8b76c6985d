import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely'
import type { Database } from '../db/database'
import type { DomainEvent } from '../domain/decider'
import type { StoredEvent } from '../store/event-store'

/** The tables of a schema that projections write (its analytics views are read-only). */
export type TableOf<DB> = { [T in keyof DB]: T extends `${string}.${string}` ? never : T }[keyof DB] & string
export type TableName = TableOf<Database>

/** `{ increment: n }` in an update adds n to the column's current value. */
export interface Increment {
  increment: number
}

type Match<DB, T extends keyof DB> = { [C in keyof Selectable<DB[T]>]?: Selectable<DB[T]>[C] }
type SetOf<DB, T extends keyof DB> = {
  [C in keyof Updateable<DB[T]>]?:
    Updateable<DB[T]>[C] | (Updateable<DB[T]>[C] extends number | undefined ? Increment : never)
}
type Column<DB, T extends keyof DB> = keyof DB[T] & string

/**
 * One change to one row of a read table, typed against the schema: a table or
 * column that does not exist, or a value of the wrong type, is a compile error.
 * An insert's `key`, when given, names the row's unique identity: an update by
 * exactly that key later in the same batch is folded into the insert. An
 * upsert's `increment` columns add the row's value to what is stored.
 */
export type RowChange<DB = Database> = {
  [T in TableOf<DB>]:
    | { kind: 'insert'; table: T; row: Insertable<DB[T]>; onConflict?: 'nothing'; key?: Column<DB, T>[] }
    | {
        kind: 'upsert'
        table: T
        row: Insertable<DB[T]>
        key: Column<DB, T>[]
        update: Column<DB, T>[]
        /** columns the row's value is added to when it exists (a counter that needs no row first) */
        increment?: Column<DB, T>[]
      }
    | { kind: 'update'; table: T; where: Match<DB, T>; set: SetOf<DB, T> }
    | { kind: 'delete'; table: T; where: Match<DB, T> }
}[TableOf<DB>]

/** A stored event whose type is one of `E`'s, with `E`'s data. */
export type Recorded<E extends DomainEvent> = Omit<StoredEvent, 'type' | 'data'> & E

/**
 * A read model's write side: a pure function from one stored event to row
 * changes. `canHandle` lists the event types it reads (emmett's canHandle):
 * only those reach `project`, typed as such. The runner applies a batch's
 * changes and its checkpoint in one transaction.
 */
export interface Projection<E extends DomainEvent = DomainEvent, DB = Database> {
  readonly name: string
  /** the tables whose rows come only from this projection (emptied on rebuild) */
  readonly tables: readonly TableOf<DB>[]
  /** the event types it reads, or 'all' (the audit log has a row for every event) */
  readonly canHandle: readonly E['type'][] | 'all'
  project(event: Recorded<E>): RowChange<DB>[]
  /** its changes find rows by unique keys only: a build from position 0 may defer the other indexes (Consumer.deferIndexes) */
  readonly deferIndexes?: boolean
}

/**
 * Whether `event` is one the projection reads. The store keeps only what the
 * deciders appended, and every event of a type has that type's data, so the
 * type name is enough to know its shape.
 */
export function handles<E extends DomainEvent, DB = Database>(
  projection: Pick<Projection<E, DB>, 'canHandle'>,
  event: StoredEvent,
): event is Recorded<E> {
  const types = projection.canHandle
  return types === 'all' || (types as readonly string[]).includes(event.type)
}

/**
 * What the runner drives: a projection (through applyChanges) or a reactor,
 * which may also schedule jobs or issue commands. Effects outside `trx` must
 * be idempotent: after a crash the batch is handed over again.
 */
export interface Consumer {
  readonly name: string
  handle(trx: Transaction<Database>, events: StoredEvent[]): Promise<MissedIncrement[] | void>
  /**
   * false when the batch holds nothing for this consumer: the runner then
   * opens no transaction for it (and writes its checkpoint only now and
   * then). Left out, every batch is handled.
   */
  wants?(events: StoredEvent[]): boolean | Promise<boolean>
  /** emptied before a rebuild from position 0 */
  readonly tables?: readonly TableName[]
  /**
   * true when all it writes in `trx` is derived from the events alone, so that
   * applying the batch again writes the same rows: the runner then commits
   * without waiting for the WAL to reach the disk (synchronous_commit off). A
   * crash may lose the last such commits, rows and checkpoint together, and the
   * runner applies those batches again; the events themselves stay durable.
   */
  readonly replayable?: boolean
  /**
   * true when a build from position 0 may go without the secondary indexes of
   * its tables and make them once it has caught up (deferred-indexes.ts): it
   * reads none of its tables and writes only by unique keys.
   */
  readonly deferIndexes?: boolean
}

/**
 * An increment whose row was not there, so nothing was added: a mark replayed
 * before its club event's row, say. The runner logs and counts it
 * (projection_missed_increments_total) rather than let a counter drift quietly.
 */
export interface MissedIncrement {
  table: string
  where: Record<string, unknown>
  increments: Record<string, number>
}

/** A read query's database: the pool, or a transaction the caller holds. */
export type Executor = Kysely<Database> | Transaction<Database>

export function isIncrement(v: unknown): v is Increment {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    Object.keys(v).length === 1 &&
    typeof (v as { increment?: unknown }).increment === 'number'
  )
}
