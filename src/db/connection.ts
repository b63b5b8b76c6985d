import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely'
import pg from 'pg'
import type { Database } from './database'
import { InProcessNotifier, PgLitePool } from './pglite-pool'
import { PgNotifier } from './pg-notifier'
import { pgTypes } from './timestamps'
import type { Notifier, SqlPool } from './sql-pool'

/** One database: the raw pool (event store hot path), kysely (read side) and wake-ups. */
export interface Db {
  readonly kind: 'postgres' | 'pglite'
  readonly pool: SqlPool
  readonly kysely: Kysely<Database>
  readonly notifier: Notifier
  /** PostgreSQL only: used for advisory-lock connections */
  readonly connectionString: string | undefined
  close(): Promise<void>
}

export interface OpenDbOptions {
  databaseUrl: string | undefined
  dataDir: string
  poolSize: number
  /** how long a query waits for a free connection (PostgreSQL). @defaultValue 5000 */
  connectTimeoutMs?: number
  onError?: (err: Error) => void
  /** PGlite only: keep the data in memory (tests) */
  inMemory?: boolean
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize, opts.connectTimeoutMs, opts.onError)
  return openPgLite(opts.inMemory ? undefined : join(opts.dataDir, 'pgdata'))
}

function openPostgres(
  connectionString: string,
  max: number,
  connectionTimeoutMillis = 5000,
  onError: (err: Error) => void = () => undefined,
): Db {
  // idle connections stay open (pg-pool closes them after 10 s by default): a
  // new one costs a backend fork and a fresh parse of every named statement,
  // and under a load that ebbs and flows those reconnects stalled requests
  // for up to 300 ms. The pool still grows only as far as the load asks.
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: 'dscp',
    // JIT compiles a plan the planner costs high, which for this service's keyed
    // and paged reads means a misestimate (tables without statistics, just
    // loaded): 75-180 ms of compiling for a read of a few rows. Its analytics
    // gain nothing from it (the campus summary 136 ms without, 137 with).
    options: '-c jit=off',
    connectionTimeoutMillis,
    idleTimeoutMillis: 0,
    types: pgTypes,
  })
  // A connection can die at any time (a server restart, pg_terminate_backend,
  // a proxy's reset). pg-pool listens for that only while a client is idle:
  // one borrowed and between queries (inside a transaction, say) would emit
  // 'error' with no listener and take the process down. Every client gets a
  // listener of its own for its whole life; the pool's 'error' (the idle
  // case) is the same error again, so it is left to that listener. A broken
  // client is never reused: pg-pool drops a returned one that cannot query.
  pool.on('connect', (client) => client.on('error', onError))
  pool.on('error', () => undefined)
  const notifier = new PgNotifier(connectionString, pool, onError)
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return {
    kind: 'postgres',
    pool,
    kysely,
    notifier,
    connectionString,
    async close() {
      await notifier.close()
      await kysely.destroy() // ends the pool
    },
  }
}

async function openPgLite(dir: string | undefined): Promise<Db> {
  if (dir) mkdirSync(dir, { recursive: true })
  const lite = await PGlite.create(dir)
  const pool = new PgLitePool(lite)
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as unknown as PostgresPool }) })
  return {
    kind: 'pglite',
    pool,
    kysely,
    notifier: new InProcessNotifier(),
    connectionString: undefined,
    async close() {
      await kysely.destroy()
    },
  }
}
