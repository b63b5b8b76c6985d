import { type RawBuilder, type Transaction, sql } from 'kysely'

/* eslint-disable @typescript-eslint/no-explicit-any -- tables are named at run time; RowChange typed them */

type Row = Record<string, unknown>

/**
 * A table's column types as PostgreSQL names them, read once per process:
 * every schema a runner writes (the live one, a rebuild's shadow) is made by
 * the same migrations, so a table's name gives its types.
 */
const columnTypes = new Map<string, Promise<Map<string, string>>>()

function typesOf(db: Transaction<any>, table: string): Promise<Map<string, string>> {
  let types = columnTypes.get(table)
  if (!types) {
    types = sql<{ name: string; type: string }>`
      SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
       WHERE attrelid = to_regclass(${table}) AND attnum > 0 AND NOT attisdropped`
      .execute(db)
      .then(({ rows }) => new Map(rows.map((r) => [r.name, r.type])))
    columnTypes.set(table, types)
    // a table not there yet (or a failed read) is looked up again next time
    void types.then(
      (t) => t.size === 0 && columnTypes.delete(table),
      () => columnTypes.delete(table),
    )
  }
  return types
}

/** the columns a row gives a value (kysely leaves an undefined one to its DEFAULT) */
const columnsOf = (row: Row) => Object.keys(row).filter((c) => row[c] !== undefined)

interface JsonRows {
  columns: string[]
  json: string
}

const texts = new WeakMap<Row[], JsonRows | null>()

/**
 * `rows` as one JSON text and the columns they name, or null when they cannot
 * go as one (below). Kept for the same array: a runner makes the text before
 * its batch's transaction opens (apply.ts planChanges), while the previous
 * batch is still being written, rather than inside it.
 */
export function jsonRows(rows: Row[]): JsonRows | null {
  let text = texts.get(rows)
  if (text === undefined) {
    text = toJson(rows)
    texts.set(rows, text)
  }
  return text
}

function toJson(rows: Row[]): JsonRows | null {
  const columns = columnsOf(rows[0]!)
  const key = columns.join(',')
  if (rows.some((r) => columnsOf(r).join(',') !== key)) return null
  try {
    return { columns, json: JSON.stringify(rows) }
  } catch {
    return null
  }
}

/**
 * Inserts `rows` into `table`, then `onConflict` (a clause as written after
 * the values): as one JSON parameter where it can (insertAsJson), else as the
 * driver's multi-row VALUES. The one way projections insert rows.
 */
export async function insertRows(
  db: Transaction<any>,
  table: string,
  rows: Row[],
  onConflict: RawBuilder<unknown> | undefined,
): Promise<void> {
  if (await insertAsJson(db, table, rows, onConflict)) return
  const insert = db.insertInto(table).values(rows)
  await (onConflict ? insert.modifyEnd(onConflict) : insert).execute()
}

/**
 * Inserts `rows` as ONE parameter, a JSON array, each column cast from its
 * text: `INSERT … SELECT CAST(r->>'c' AS type)… FROM jsonb_array_elements($1)`.
 * A multi-row VALUES of 500 audit rows has 8,000 parameters, each prepared
 * by the driver and bound by PostgreSQL; one JSON text cut those rows' insert
 * from 23–31 ms to 16–18 ms (the same rows, the same transaction).
 * A jsonb column's value is JSON text here as it is for the driver (an object
 * is serialised, a string is read as JSON), so both paths store the same.
 *
 * Returns false, having written nothing, for rows it cannot carry the same
 * way: rows naming different columns (a column one row leaves out would be
 * NULL here, not its DEFAULT), a column the table lacks, or a value JSON
 * cannot hold (a bigint). insertRows then inserts them as VALUES.
 */
export async function insertAsJson(
  db: Transaction<any>,
  table: string,
  rows: Row[],
  onConflict: RawBuilder<unknown> | undefined,
): Promise<boolean> {
  const text = jsonRows(rows)
  if (!text) return false
  const { columns, json } = text
  const types = await typesOf(db, table)
  if (!columns.every((c) => types.has(c))) return false
  const values = columns.map((c) => sql`CAST(r->>${sql.lit(c)} AS ${sql.raw(types.get(c)!)})`)
  await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c)))})
            SELECT ${sql.join(values)} FROM jsonb_array_elements(${json}::jsonb) AS r
            ${onConflict ?? sql``}`.execute(db)
  return true
}
