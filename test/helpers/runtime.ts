import { randomBytes } from 'node:crypto'
import { buildApp } from '../../src/api/app'
import type { App } from '../../src/api/types'
import { type Env, loadConfig } from '../../src/config'
import { type Role, type Runtime, type RuntimeOverrides, createRuntime } from '../../src/runtime'
import { createRedisPrefix, createTestDatabase, TEST_REDIS_URL } from './services'

interface Teardown {
  teardown(fn: () => unknown): void
}

export interface TestRuntimeOptions extends RuntimeOverrides {
  /** extra environment for loadConfig */
  env?: Env
  role?: Role
  /** 'postgres' (default): a fresh database; 'pglite': in memory */
  database?: 'postgres' | 'pglite'
  /** connect Redis under a fresh key prefix. @defaultValue true */
  redis?: boolean
  /** an existing database (a second process on the same data) */
  databaseUrl?: string
  redisPrefix?: string
}

export const TEST_SECRETS = {
  JWT_SECRET: randomBytes(32).toString('hex'),
  QR_SIGNING_SECRET: randomBytes(32).toString('hex'),
}

/**
 * A runtime on real services for one test file: its own database and Redis
 * prefix, bcrypt at the minimum cost, rate limits on unless the env says off.
 */
export async function testRuntime(t: Teardown, opts: TestRuntimeOptions = {}): Promise<Runtime> {
  // eslint-disable-next-line prefer-const -- assigned below, closed over by the teardown first
  let runtime: Runtime | undefined
  const close = async () => runtime?.close()
  const databaseUrl = opts.databaseUrl ?? (opts.database === 'pglite' ? undefined : await createTestDatabase(t, close))
  if (opts.databaseUrl || opts.database === 'pglite') t.teardown(close)
  const redisPrefix = opts.redis === false ? undefined : (opts.redisPrefix ?? createRedisPrefix(t))
  const config = loadConfig({
    NODE_ENV: 'test',
    ...TEST_SECRETS,
    BCRYPT_ROUNDS: '4',
    // several runtimes per file and several files at once share one server's max_connections
    DB_POOL_SIZE: '6',
    // and two cores: a race of 25 callers on 6 connections may wait more than the 5 s that production calls overload
    DB_CONNECT_TIMEOUT_MS: '60000',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisPrefix ? TEST_REDIS_URL : undefined,
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...opts.env,
  })
  runtime = await createRuntime(config, opts.role ?? 'all', {
    inMemory: true,
    pollIntervalMs: 20,
    lockRetryMs: 200,
    // a build marks itself and waits two of these before it writes: a test's builds are small
    buildWatchMs: 50,
    ...opts,
  })
  return runtime
}

/** The full app on a test runtime; closed at teardown. */
export async function testApp(t: Teardown, opts: TestRuntimeOptions = {}): Promise<{ app: App; runtime: Runtime }> {
  const runtime = await testRuntime(t, opts)
  const app = await buildApp(runtime)
  t.teardown(() => app.close())
  return { app, runtime }
}
