import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import * as store0001 from './migrations/store/0001_event_store'
import * as blobs0001 from './migrations/blobs/0001_blobs'
import * as read0001 from './migrations/read/0001_runner'
import * as read0002 from './migrations/read/0002_identity'
import * as read0003 from './migrations/read/0003_attendance'
import * as read0004 from './migrations/read/0004_audit'
import * as read0005 from './migrations/read/0005_notifications'
import * as read0006 from './migrations/read/0006_analytics'
import * as read0007 from './migrations/read/0007_drop_used_nonces'
import * as read0008 from './migrations/read/0008_drop_sessions'
import * as read0009 from './migrations/read/0009_qr_rotation'
import * as read0010 from './migrations/read/0010_resources'
import * as read0011 from './migrations/read/0011_club_event_lifecycle'
import * as read0012 from './migrations/read/0012_member_profiles'
import * as read0013 from './migrations/read/0013_legacy_ids'
import * as read0014 from './migrations/read/0014_analytics_at_scale'
import * as read0015 from './migrations/read/0015_notification_unread'
import * as read0016 from './migrations/read/0016_club_events_held'
import * as read0017 from './migrations/read/0017_member_marks'
import * as read0018 from './migrations/read/0018_deferred_indexes'
import * as read0019 from './migrations/read/0019_club_calendar'
import * as read0020 from './migrations/read/0020_building'

/**
 * Migrations are listed here rather than read from a folder, so they work the
 * same from src/ under the test loader and from dist/ after a build.
 */
const storeMigrations: Record<string, Migration> = {
  '0001_event_store': store0001,
}

const readMigrations: Record<string, Migration> = {
  '0001_runner': read0001,
  '0002_identity': read0002,
  '0003_attendance': read0003,
  '0004_audit': read0004,
  '0005_notifications': read0005,
  '0006_analytics': read0006,
  '0007_drop_used_nonces': read0007,
  '0008_drop_sessions': read0008,
  '0009_qr_rotation': read0009,
  '0010_resources': read0010,
  '0011_club_event_lifecycle': read0011,
  '0012_member_profiles': read0012,
  '0013_legacy_ids': read0013,
  '0014_analytics_at_scale': read0014,
  '0015_notification_unread': read0015,
  '0016_club_events_held': read0016,
  '0017_member_marks': read0017,
  '0018_deferred_indexes': read0018,
  '0019_club_calendar': read0019,
  '0020_building': read0020,
}

/** The bytes of stored files: in PostgreSQL whichever event store holds the events. */
const blobMigrations: Record<string, Migration> = {
  '0001_blobs': blobs0001,
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations
  }
}

async function run(migrator: Migrator, what: string): Promise<void> {
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error)
    throw new Error(
      `${what} migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`,
      { cause: error },
    )
}

/** The event store's own tables (PostgreSQL/PGlite adapter only). */
export async function migrateEventStore(db: Kysely<any>): Promise<void> {
  await run(
    new Migrator({
      db,
      provider: new StaticProvider(storeMigrations),
      migrationTableName: 'es_migrations',
      migrationLockTableName: 'es_migrations_lock',
    }),
    'event store',
  )
}

/**
 * The blob tables (docs/resources.md), in the database of the read models and,
 * without EVENTSTORE_URL, of the events: run whichever store holds the events,
 * so they are not among the event store's own migrations, which only the
 * PostgreSQL adapter runs.
 */
export async function migrateBlobStore(db: Kysely<any>): Promise<void> {
  await run(
    new Migrator({
      db,
      provider: new StaticProvider(blobMigrations),
      migrationTableName: 'blob_migrations',
      migrationLockTableName: 'blob_migrations_lock',
    }),
    'blob store',
  )
}

/**
 * Until the transaction ends, unqualified names mean `schema`'s tables.
 * withSchema() qualifies only the builder's tables; raw SQL (CREATE INDEX … ON
 * users, a consumer's own queries) would still resolve to public.
 */
export async function useSchema(trx: Kysely<any>, schema: string): Promise<void> {
  await sql`SET LOCAL search_path TO ${sql.id(schema)}, public`.execute(trx)
}

/** The migrator runs in one transaction, so useSchema sends raw SQL to `schema` as well. */
function inSchema(migrations: Record<string, Migration>, schema: string): Record<string, Migration> {
  return Object.fromEntries(
    Object.entries(migrations).map(([name, m]) => [
      name,
      {
        up: async (db: Kysely<any>) => {
          await useSchema(db, schema)
          await m.up(db)
        },
      },
    ]),
  )
}

/** The read side (projections, checkpoints, analytics views), into `schema`. */
export async function migrateReadModel(db: Kysely<any>, schema = 'public'): Promise<void> {
  if (schema !== 'public') await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db)
  const scoped = schema === 'public' ? db : db.withSchema(schema)
  await run(
    new Migrator({
      db: scoped,
      provider: new StaticProvider(schema === 'public' ? readMigrations : inSchema(readMigrations, schema)),
      migrationTableName: 'read_migrations',
      migrationLockTableName: 'read_migrations_lock',
      migrationTableSchema: schema,
      // numbers were handed out to parallel work (0004 audit, 0006 analytics…): a
      // database that already ran a later one must still take an earlier one
      allowUnorderedMigrations: true,
    }),
    'read model',
  )
}
