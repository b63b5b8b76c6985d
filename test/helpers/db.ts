import { openDb, type Db } from '../../src/db/connection'
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
