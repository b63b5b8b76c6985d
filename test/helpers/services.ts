import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { Redis } from 'ioredis'

/**
 * Each test file gets its own PostgreSQL database and Redis key prefix, so
 * files run in parallel and leave nothing behind. Real services, never mocks.
 */
const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

interface Teardown {
  teardown(fn: () => unknown): void
}

function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

/**
 * Creates an empty database for this test file. `beforeDrop` runs first at
 * teardown (close your pools there), then the database is dropped.
 */
export async function createTestDatabase(
  t: Teardown,
  beforeDrop: () => Promise<unknown> = async () => undefined,
): Promise<string> {
  const name = uniqueName('dscp_test')
  await admin(`CREATE DATABASE ${name}`)
  t.teardown(async () => {
    await beforeDrop().catch(() => undefined)
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  })
  return withDatabase(ADMIN_DATABASE_URL, name)
}

/** A Redis key prefix for this test file; its keys are deleted at teardown. */
export function createRedisPrefix(t: Teardown): string {
  const prefix = uniqueName('dscp_test')
  t.teardown(() => deleteRedisKeys(prefix))
  return prefix
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

/** Drops the database at `url` with every connection to it: to a process using it, the database is gone. */
export async function dropDatabase(url: string): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(new URL(url).pathname.slice(1))} WITH (FORCE)`)
}
