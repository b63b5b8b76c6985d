import { mkdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import pg from 'pg'
import initSqlJs from 'sql.js'
import { type TableRows, engineRows, legacyData, uploadContents } from './messy'
import { type LegacyVersion, legacyDdl } from './schemas'

/**
 * Writes messy.ts's datasets as the portal's databases: a SQLite file (built
 * in memory with sql.js, then exported) or an empty PostgreSQL database, plus
 * the uploads dir the materials' files live in.
 */

let sqlJs: Promise<initSqlJs.SqlJsStatic> | undefined

/** sql.js's module, loaded once per process. */
export function loadSqlJs(): Promise<initSqlJs.SqlJsStatic> {
  sqlJs ??= initSqlJs()
  return sqlJs
}

/** Creates `version`'s tables in a new in-memory database, fills them in one transaction, and writes it to `file`. */
export async function writeSqlite(version: LegacyVersion, file: string, tables: Iterable<TableRows>): Promise<void> {
  const SQL = await loadSqlJs()
  const db = new SQL.Database()
  try {
    db.run('PRAGMA foreign_keys = OFF')
    for (const statement of legacyDdl(version, 'sqlite')) db.run(statement)
    db.run('BEGIN')
    for (const t of tables) {
      const names = t.columns.map((c) => c.name)
      const insert = db.prepare(
        `INSERT INTO ${t.table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
      )
      try {
        for (const values of t.values) insert.run(values as initSqlJs.SqlValue[])
      } finally {
        insert.free()
      }
    }
    db.run('COMMIT')
    await writeFile(file, db.export())
  } finally {
    db.close()
  }
}

/** The messy dataset of `version` as a SQLite file at `file` (v1: ds_club_old.db; v2: schema.sql's database). */
export async function createSqliteFixture(version: LegacyVersion, file: string): Promise<void> {
  await writeSqlite(version, file, engineRows(version, 'sqlite', legacyData(version)))
}

/** Runs `version`'s PostgreSQL DDL in the (empty) database at `url`, with `fill` run inside the same transaction. */
export async function withPgSchema(
  version: LegacyVersion,
  url: string,
  fill: (client: pg.Client) => Promise<void>,
): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('BEGIN')
    for (const statement of legacyDdl(version, 'postgres')) await client.query(statement)
    await fill(client)
    if (version === 'v1') {
      // explicit ids leave the serial sequences at 1: move them past the rows, as the live database had them
      for (const table of ['users', 'events', 'attendance_sessions', 'study_materials', 'attendance_records'])
        await client.query(
          `SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT max(id) FROM ${table}), 1))`,
        )
    }
    await client.query('COMMIT')
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw e
  } finally {
    await client.end()
  }
}

/** The messy dataset of `version` in the empty PostgreSQL database at `url` (v2: every id a UUID). */
export async function createPgFixture(version: LegacyVersion, url: string): Promise<void> {
  await withPgSchema(version, url, async (client) => {
    for (const t of engineRows(version, 'postgres', legacyData(version))) {
      const names = t.columns.map((c) => c.name)
      const sql = `INSERT INTO ${t.table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`
      for (const values of t.values) await client.query(sql, values)
    }
  })
}

/**
 * The materials' files in `dir`, each as `<dir>/<basename of file_path>` (where
 * the importer looks), all but the one whose file is missing.
 */
export async function createUploads(version: LegacyVersion, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const [path, bytes] of uploadContents(version)) await writeFile(join(dir, basename(path)), bytes)
}
