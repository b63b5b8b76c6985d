import { type Kysely, sql } from 'kysely'
import { openDb, type Db } from '../../src/db/connection'
import type { Database } from '../../src/db/database'
import { migrateEventStore, migrateReadModel } from '../../src/db/migrate'
import { createTestDatabase } from './services'

interface Teardown {
  teardown(fn: () => unknown): void
}

export type DbKind = 'postgres' | 'pglite'

/** A migrated database of the given kind for one test file, closed at teardown. */
export async function openTestDb(t: Teardown, kind: DbKind = 'postgres', poolSize = 20): Promise<Db> {
  // eslint-disable-next-line prefer-const -- assigned below, closed over by the teardown first
  let db: Db | undefined
  const close = async () => db?.close()
  const databaseUrl = kind === 'postgres' ? await createTestDatabase(t, close) : undefined
  db = await openDb({ databaseUrl, dataDir: '', poolSize, inMemory: true })
  if (kind === 'pglite') t.teardown(close)
  await migrateEventStore(db.kysely)
  await migrateReadModel(db.kysely)
  return db
}

/** Whether the planner has statistics on `table`'s columns: ANALYZE has run on it with rows in it. */
export async function analysed(db: Kysely<Database>, table: string): Promise<boolean> {
  const { rows } = await sql<{
    n: number
  }>`SELECT count(*)::int AS n FROM pg_statistic WHERE starelid = to_regclass(${table})`.execute(db)
  return rows[0]!.n > 0
}
