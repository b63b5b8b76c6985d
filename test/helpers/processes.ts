import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { TEST_SECRETS } from './runtime'
import { createRedisPrefix, createTestDatabase, TEST_REDIS_URL } from './services'

export interface ServiceProcess {
  child: ChildProcess
  base: string
  exited: Promise<number | null>
  output(): string
}

/**
 * The real, built entry point (dist/main.js) as a child process: what
 * deployments run, and it starts in a second rather than compiling TypeScript
 * under the test loader. `npm test` builds first; a file run on its own needs
 * `npm run build` after any change to src/, and says so rather than testing
 * yesterday's code.
 */
const ROOT = join(__dirname, '..', '..')
const MAIN = join(ROOT, 'dist', 'main.js')
/** the built command line (`npm run cli`) */
export const CLI = join(ROOT, 'dist', 'cli.js')

const newest = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  )

let built: boolean | undefined
export function assertBuilt(): void {
  built ??= (() => {
    let mainAt: number
    try {
      mainAt = statSync(MAIN).mtimeMs
    } catch {
      return false
    }
    return mainAt >= newest(join(ROOT, 'src'))
  })()
  if (!built) throw new Error('dist/ is missing or older than src/: run `npm run build` first (`npm test` does)')
}

export function startProcess(role: string, env: Record<string, string>): ServiceProcess {
  assertBuilt()
  // below the ephemeral range (32768+), clear of the services this machine runs
  // (4222 NATS, 4369 epmd, 5432 PostgreSQL, 5672/25672 RabbitMQ…): a clash stopped a child once
  const port = String(10000 + Math.floor(Math.random() * 10000))
  const child = spawn(process.execPath, [MAIN, role], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: port,
      HOST: '127.0.0.1',
      BCRYPT_ROUNDS: '4',
      // files that start several processes run beside each other and beside the rest: 100 connections are the server's all
      DB_POOL_SIZE: '4',
      // on two cores shared with other test files, a 5 s wait for a connection is load, not an outage
      DB_CONNECT_TIMEOUT_MS: '60000',
      ...TEST_SECRETS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()))
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exited, base: `http://127.0.0.1:${port}`, output: () => output }
}

/** Resolves when the process answers GET path with 200. */
export async function whenUp(p: ServiceProcess, path = '/ready', timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`process exited ${p.child.exitCode}: ${p.output()}`)
    const ok = await fetch(`${p.base}${path}`)
      .then((r) => r.status === 200)
      .catch(() => false)
    if (ok) return
    if (Date.now() > deadline) throw new Error(`${p.base}${path} never answered 200: ${p.output()}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

export async function call(
  p: ServiceProcess,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test responses are read field by field
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${p.base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * Processes of the service for one test file, on a fresh database and Redis
 * prefix (rate limits off unless `env` says otherwise), each killed at
 * teardown before the database is dropped.
 */
export async function processesOnFreshData(
  t: Teardown,
  env: Record<string, string> = {},
): Promise<{ env: Record<string, string>; start(role: string, extra?: Record<string, string>): ServiceProcess }> {
  const procs: ServiceProcess[] = []
  const url = await createTestDatabase(t, async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL')
    await Promise.all(procs.map((p) => p.exited))
  })
  const all = {
    DATABASE_URL: url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: createRedisPrefix(t),
    RATE_LIMIT_ENABLED: 'false',
    ...env,
  }
  return {
    env: all,
    start(role, extra = {}) {
      const p = startProcess(role, { ...all, ...extra })
      procs.push(p)
      return p
    },
  }
}
