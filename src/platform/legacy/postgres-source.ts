import pg from 'pg'
import type { RawTables } from '../../domain/legacy/read'

// timestamp without time zone: the portal wrote UTC (datetime.utcnow); node-postgres would read it as local time
const TIMESTAMP = 1114

/**
 * A PostgreSQL database of the portal (Supabase in production), read in one
 * REPEATABLE READ, READ ONLY transaction: one consistent picture even while
 * the old portal still runs, and no write can reach the source.
 */
export async function readPostgres(url: string, tables: readonly string[]): Promise<RawTables> {
  const client = new pg.Client({
    connectionString: url,
    types: {
      getTypeParser: (oid, format) =>
        oid === TIMESTAMP ? (v: string) => `${v}Z` : pg.types.getTypeParser(oid, format),
    },
  })
  await client.connect()
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const { rows: cols } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY table_name, ordinal_position`,
      [tables],
    )
    const out: RawTables = { columns: {}, rows: {} }
    for (const c of cols) (out.columns[c.table_name] ??= []).push(c.column_name)
    for (const table of Object.keys(out.columns))
      out.rows[table] = (await client.query(`SELECT * FROM ${pg.escapeIdentifier(table)}`)).rows
    await client.query('COMMIT')
    return out
  } finally {
    await client.end()
  }
}
