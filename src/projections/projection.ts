import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/database'
import type { StoredEvent } from '../store/event-store'

/**
 * A read model: a pure function from one stored event to row changes. The
 * runner applies the changes of a batch and its checkpoint in one transaction.
 */
export type Row = Record<string, unknown>
/** `{ increment: n }` in an update adds n to the column's current value */
export type SetValue = unknown | { increment: number }

export type RowChange =
  | { kind: 'insert'; table: string; row: Row; onConflict?: 'nothing' }
  | { kind: 'upsert'; table: string; row: Row; key: string[]; update: string[] }
  | { kind: 'update'; table: string; where: Row; set: Record<string, SetValue> }
  | { kind: 'delete'; table: string; where: Row }

export interface Projection {
  readonly name: string
  /** the tables whose rows come only from this projection (emptied on rebuild) */
  readonly tables: readonly string[]
  project(event: StoredEvent): RowChange[]
}

/**
 * What the runner drives: a projection (through applyChanges) or a reactor,
 * which may also schedule jobs or issue commands. Effects outside `trx` must
 * be idempotent: after a crash the batch is handed over again.
 */
export interface Consumer {
  readonly name: string
  handle(trx: Transaction<Database>, events: StoredEvent[]): Promise<void>
  /**
   * false when the batch holds nothing for this consumer: the runner then
   * opens no transaction for it (and writes its checkpoint only now and
   * then). Left out, every batch is handled.
   */
  wants?(events: StoredEvent[]): boolean
  /** emptied before a rebuild from position 0 */
  readonly tables?: readonly string[]
}

export type Executor = Kysely<Database> | Transaction<Database>

export function isIncrement(v: SetValue): v is { increment: number } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    Object.keys(v).length === 1 &&
    typeof (v as { increment?: unknown }).increment === 'number'
  )
}
