import { type ChildProcess, execSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './root'

/** Runs the real service (compiled) in a child process, so load and server do not share a thread. */
export interface BenchServer {
  url: string
  env: Record<string, string>
  /** CPU time the service has used so far (user + system, ms; Linux /proc) */
  cpuMs(): number
  /** resident memory at its peak so far (MB; Linux /proc) */
  peakMemoryMb(): number
  /** ends the process; once it has ended, does nothing */
  stop(): Promise<void>
}

/** clock ticks per second of /proc/<pid>/stat's times */
const CLOCK_TICKS = Number(execSync('getconf CLK_TCK').toString().trim()) || 100

function cpuMsOf(pid: number): number {
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
}

function peakMemoryMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024
}

/** the admin every service bench bootstraps (BOOTSTRAP_ADMIN_*) and logs in as */
export const BENCH_ADMIN = { email: 'bench.admin@bench.example.org', password: 'Quiet-Lantern-Orbit-42' }

/** the service's environment that bootstraps BENCH_ADMIN */
export const BENCH_ADMIN_ENV = {
  BOOTSTRAP_ADMIN_EMAIL: BENCH_ADMIN.email,
  BOOTSTRAP_ADMIN_PASSWORD: BENCH_ADMIN.password,
}

export const BENCH_SECRETS = {
  JWT_SECRET: randomBytes(32).toString('hex'),
  QR_SIGNING_SECRET: randomBytes(32).toString('hex'),
}

/** the node flags `npm start` runs the service with (package.json), so the bench measures the same process */
export const SERVICE_NODE_FLAGS: string[] = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(' ')
  .filter((a) => a.startsWith('--'))

export async function startServer(
  databaseUrl: string,
  env: Record<string, string> = {},
  role = 'all',
): Promise<BenchServer> {
  const port = 3900 + Math.floor(Math.random() * 90)
  const full = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    RATE_LIMIT_ENABLED: 'false',
    DB_POOL_SIZE: process.env.BENCH_POOL ?? '20',
    ...BENCH_SECRETS,
    ...env,
  } as Record<string, string>
  delete full.REDIS_URL
  if (env.REDIS_URL) full.REDIS_URL = env.REDIS_URL
  // BENCH_POOL sets the service's DB_POOL_SIZE (20);
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the service
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  const child: ChildProcess = spawn(
    process.execPath,
    [...SERVICE_NODE_FLAGS, ...nodeArgs, join(__dirname, '..', 'src', 'main.js'), role],
    { env: full, stdio: ['ignore', 'inherit', 'inherit'] },
  )
  const url = `http://127.0.0.1:${port}`
  await whenReady(url, child, 30_000, () => '')
  return {
    url,
    env: full,
    cpuMs: () => cpuMsOf(child.pid!),
    peakMemoryMb: () => peakMemoryMbOf(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
    },
  }
}

/** Resolves once `url` answers GET /ready with a 200; throws if `child` exits first or `timeoutMs` passes. */
export async function whenReady(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode} ${output()}`)
    const ok = await get(`${url}/ready`)
      .then((r) => r.status === 200)
      .catch(() => false)
    if (ok) return
    if (Date.now() > deadline) throw new Error(`${url} did not become ready ${output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

// maxFreeSockets: keep every warmed-up connection (the default keeps 256 and closes the rest)
export const agent = new http.Agent({ keepAlive: true, maxSockets: 2000, maxFreeSockets: 2000 })

export function request(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body)
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
      },
    )
    req.on('error', reject)
    if (data) req.write(data)
    req.end()
  })
}

export const get = (url: string, headers?: Record<string, string>) => request(url, 'GET', undefined, headers)

/** An `Authorization` header for BENCH_ADMIN, logged in through the API at `serverUrl`. */
export async function adminHeaders(serverUrl: string): Promise<Record<string, string>> {
  const login = await request(`${serverUrl}/api/auth/login`, 'POST', BENCH_ADMIN)
  return { authorization: `Bearer ${(JSON.parse(login.body) as { access_token: string }).access_token}` }
}

/** A club event (an hour long, from `startsAt`) and a QR code for it, made by `admin` through the API. */
export async function openQr(
  serverUrl: string,
  admin: Record<string, string>,
  { title = 'Bench night', startsAt = Date.now() } = {},
): Promise<{ eventId: string; payload: string }> {
  const created = await request(
    `${serverUrl}/api/admin/events`,
    'POST',
    { title, starts_at: new Date(startsAt).toISOString(), ends_at: new Date(Date.now() + 3_600_000).toISOString() },
    admin,
  )
  const eventId = (JSON.parse(created.body) as { event: { id: string } }).event.id
  const qr = await request(
    `${serverUrl}/api/admin/qr-sessions`,
    'POST',
    { event_id: eventId, ttl_seconds: 3600 },
    admin,
  )
  return { eventId, payload: (JSON.parse(qr.body) as { qr_session: { payload: string } }).qr_session.payload }
}
