import { isIncrement } from './projection'

type Row = Record<string, unknown>
/** A RowChange as the interpreter sees it: the table is a name, the row a record. */
export type Loose =
  | { kind: 'insert'; table: string; row: Row; onConflict?: 'nothing'; key?: string[] }
  | { kind: 'upsert'; table: string; row: Row; key: string[]; update: string[]; increment?: string[] }
  | { kind: 'update'; table: string; where: Row; set: Row }
  | { kind: 'delete'; table: string; where: Row }

type Written = Extract<Loose, { kind: 'insert' | 'upsert' }>

/** what a change can be merged with: inserts or upserts of one shape, or pure increments of one row */
function mergeKey(c: Loose): string | undefined {
  if (c.kind === 'insert') return `i|${c.onConflict ?? ''}|${c.key?.join(',') ?? ''}|${Object.keys(c.row).join(',')}`
  if (c.kind === 'upsert')
    return `u|${c.key.join(',')}|${c.update.join(',')}|${c.increment?.join(',') ?? ''}|${Object.keys(c.row).join(',')}`
  if (c.kind === 'update' && Object.values(c.set).every(isIncrement))
    return `+|${JSON.stringify(c.where)}|${Object.keys(c.set).join(',')}`
  return undefined
}

const MAX_ROWS = 500

/** The last group of a table, and, for keyed rows, where each key's row sits in it. */
interface Open {
  group: Loose[]
  key: string | undefined
  rows: Map<string, number>
}

/** The columns that identify a row a change writes, when a later update may fold into it. */
function identity(c: Written): string[] | undefined {
  if (c.kind === 'upsert') return c.key
  // INSERT … ON CONFLICT DO NOTHING may leave an existing row, which the update would have changed
  if (c.kind === 'insert' && c.onConflict === undefined) return c.key
  return undefined
}

const keyOf = (row: Row, columns: string[]) => JSON.stringify(columns.map((c) => row[c]))

/**
 * Folds `c` into a row the open group already writes with the same key.
 * A later upsert of that key keeps the first row's inserted values, takes
 * the later one's update columns and adds up their increment columns (what
 * the two statements did in turn, since those lists are the group's). A
 * plain update by exactly the key sets its columns in the row: a plain
 * insert writes the row as the update leaves it;
 * an upsert's row is inserted so, or on conflict writes those columns, so
 * they must be update columns. Increments and anything else do not fold.
 */
function fold(open: Open, c: Loose): boolean {
  const first = open.group[0]
  if (first?.kind !== 'insert' && first?.kind !== 'upsert') return false
  const key = identity(first)
  if (!key) return false
  let id: string
  let values: (held: Row) => Row
  if (c.kind === 'upsert' && mergeKey(c) === open.key) {
    id = keyOf(c.row, c.key)
    values = (held) =>
      Object.fromEntries([
        ...c.update.map((col) => [col, c.row[col]]),
        ...(c.increment ?? []).map((col) => [col, Number(held[col]) + Number(c.row[col])]),
      ])
  } else if (c.kind === 'update') {
    const settable = first.kind === 'upsert' ? first.update : Object.keys(first.row)
    if (Object.keys(c.where).length !== key.length || !key.every((k) => k in c.where)) return false
    if (Object.entries(c.set).some(([col, v]) => isIncrement(v) || !settable.includes(col) || !(col in first.row)))
      return false
    id = keyOf(c.where, key)
    values = () => c.set
  } else return false
  const at = open.rows.get(id)
  if (at === undefined) return false
  const held = open.group[at] as Written
  open.group[at] = { ...held, row: { ...held.row, ...values(held.row) } }
  return true
}

/** Notes where the row the group's newest change writes sits, if it has a key to fold updates by. */
function remember(open: Open, c: Loose): void {
  const key = (c.kind === 'insert' || c.kind === 'upsert') && identity(c)
  if (key) open.rows.set(keyOf(c.row, key), open.group.length - 1)
}

/**
 * Groups a batch's changes into statements: inserts (and upserts) of one
 * shape into a table become one multi-row INSERT, increments of one row add
 * up into one UPDATE, and an update of a row the group writes by its key is
 * folded into that row. A change joins only the LAST group of its own table,
 * so the order of the changes to any one table is kept; changes to different
 * tables may move past each other, which is safe because read tables have no
 * foreign keys or triggers. A batch of marks thus costs a statement per
 * table, not two per mark; a batch of signups and their decisions, one.
 */
export function groupChanges(changes: readonly Loose[]): Loose[][] {
  const groups: Loose[][] = []
  const last = new Map<string, Open>()
  for (const c of changes) {
    const open = last.get(c.table)
    if (open && fold(open, c)) continue
    const key = mergeKey(c)
    if (key !== undefined && open?.key === key && open.group.length < MAX_ROWS) {
      open.group.push(c)
      remember(open, c)
    } else {
      const next: Open = { group: [c], key, rows: new Map() }
      groups.push(next.group)
      remember(next, c)
      last.set(c.table, next)
    }
  }
  return groups
}
