import { readFile } from 'node:fs/promises'
import initSqlJs from 'sql.js'
import type { RawTables } from '../../domain/legacy/read'

/**
 * A SQLite database file, read with sql.js (SQLite compiled to WebAssembly):
 * nothing native to build or download at install time. The file is read into
 * memory and never written: a club's SQLite database is small, and the
 * source stays as it was (docs/migration.md).
 */
export async function readSqlite(path: string, tables: readonly string[]): Promise<RawTables> {
  const SQL = await initSqlJs()
  const db = new SQL.Database(await readFile(path))
  try {
    const present = new Set(
      db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values.map((r) => String(r[0])) ?? [],
    )
    const out: RawTables = { columns: {}, rows: {} }
    for (const table of tables) {
      if (!present.has(table)) continue
      const stmt = db.prepare(`SELECT * FROM "${table}"`)
      out.columns[table] = stmt.getColumnNames()
      const rows: Record<string, unknown>[] = []
      while (stmt.step()) rows.push(stmt.getAsObject())
      stmt.free()
      out.rows[table] = rows
    }
    return out
  } finally {
    db.close()
  }
}
