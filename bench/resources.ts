import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import pg from 'pg'
import { buildApp } from '../src/api/app'
import { createAdmin } from '../src/commands/identity/bootstrap'
import { loadConfig } from '../src/config'
import { createRuntime } from '../src/runtime'
import { fmt, printTable, type Row, withBenchDatabase } from './lib'
import { SERVICE_NODE_FLAGS } from './server'

/**
 * `npm run bench:resources`: the memory an upload costs the service. Each
 * figure comes from a fresh process that runs the service (on PostgreSQL,
 * with the node flags of `npm start`), warms it up the same way (a 1 MiB
 * upload and its download), then does one thing while its peak resident set
 * is watched: an upload of 20 MiB and of 100 MiB, their downloads, an upload
 * over the 25 MiB limit that declares its length and one sent chunked; and
 * the baseline, in the same kind of process: the same bytes read into one
 * Buffer. Streaming shows as a growth that stays put from 20 to 100 MiB
 * while the baseline's grows with the file. The client in each process
 * streams 64 KiB pieces of one reused buffer, so it adds next to nothing.
 */
const MIB = 1024 * 1024
/** the sizes uploaded and downloaded: a growth that stays put from the smaller to the larger is bounded, not the file */
const SIZES = (process.env.BENCH_RESOURCE_MIB ?? '20,100').split(',').map((m) => Number(m) * MIB)
const LIMIT = 25 * MIB
/**
 * What a streaming service's growth may differ by between the smallest and
 * the largest file: V8's young generation and the sockets' buffers hold a
 * bounded amount of garbage whatever the size; holding the file would add
 * the difference in size (80 MiB by default).
 */
const BOUND_MIB = 10
const OVER = 30 * MIB
const PIECE = 64 * 1024
const ADMIN = { email: 'bench.resources@bench.example.org', password: 'Quiet-Lantern-Orbit-42' }

type Scenario = 'upload' | 'download' | 'over-declared' | 'over-chunked' | 'baseline'
/** one size: the baseline, the upload and the download, each in a process of its own */
interface Run {
  mib: number
  baseline: Measured
  up: Measured
  down: Measured
}

interface Measured {
  /** peak RSS growth during the scenario, MiB */
  mib: number
  ms: number
  status?: number
  resource_id?: string
}

/** `size` bytes in PIECE pieces of one random block, each numbered so the pieces differ */
async function* bytes(size: number): AsyncGenerator<Buffer> {
  const block = randomBytes(PIECE)
  for (let sent = 0; sent < size; sent += PIECE) {
    const piece = Buffer.from(block.subarray(0, Math.min(PIECE, size - sent)))
    piece.writeUInt32BE(sent / PIECE, 0)
    yield piece
  }
}

/** the kernel's peak resident set of this process, in bytes (Linux), or undefined */
function highWaterMark(): number | undefined {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return m ? Number(m[1]) * 1024 : undefined
}

/** The peak growth of this process' RSS while `work` runs, above where it stood just before. */
async function peakGrowth(work: () => Promise<Partial<Measured>>): Promise<Measured> {
  ;(globalThis as { gc?: () => void }).gc?.()
  await new Promise((r) => setTimeout(r, 100))
  try {
    // resets VmHWM to the current RSS, where the kernel lets us
    writeFileSync('/proc/self/clear_refs', '5')
  } catch {
    // sampling alone, then
  }
  const before = process.memoryUsage.rss()
  let peak = before
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 1)
  const started = performance.now()
  const result = await work()
  const ms = performance.now() - started
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage.rss(), highWaterMark() ?? 0)
  return { ...result, mib: (peak - before) / MIB, ms }
}

/** POSTs a multipart upload, streaming its file part; `declared` false sends it chunked, with no Content-Length. */
function upload(port: number, token: string, size: number, declared = true): Promise<{ status: number; body: string }> {
  const boundary = '----benchresource7MA4YWxk'
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBench upload\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.zip"\r\nContent-Type: application/zip\r\n\r\n`,
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    }
    if (declared) headers['content-length'] = String(head.length + size + tail.length)
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/api/admin/resources', headers })
    let answered = false
    req.on('response', (res) => {
      answered = true
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => {
        resolve({ status: res.statusCode!, body })
        req.destroy()
      })
    })
    // a refusal closes the socket under the writer: that is the point, not a failure
    req.on('error', (err) => (answered ? undefined : reject(err)))
    void (async () => {
      req.write(head)
      for await (const piece of bytes(size)) {
        if (answered || req.destroyed) return
        if (!req.write(piece)) await new Promise((r) => req.once('drain', r))
      }
      req.end(tail)
    })().catch(() => undefined)
  })
}

/** GETs a URL and hashes what arrives, keeping none of it. */
function download(port: number, path: string): Promise<{ status: number; size: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, host: '127.0.0.1', path }, (res) => {
        const hash = createHash('sha256')
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          hash.update(c)
        })
        res.on('end', () => resolve({ status: res.statusCode!, size, sha256: hash.digest('hex') }))
      })
      .on('error', reject)
  })
}

/** One scenario in this (child) process: the service up and warmed, then the one thing measured. */
async function child(scenario: Scenario, size: number): Promise<Measured> {
  const config = loadConfig({
    // the default 25 MiB, raised for a larger upload than that
    RESOURCE_MAX_BYTES: String(Math.max(LIMIT, scenario.startsWith('over') ? 0 : size)),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_ENABLED: 'false',
    BCRYPT_ROUNDS: '4',
    // 20 MiB over loopback is quick, but a loaded machine may be slow
    REQUEST_TIMEOUT_MS: '600000',
    HEADERS_TIMEOUT_MS: '60000',
    DATABASE_URL: process.env.BENCH_CHILD_DATABASE_URL,
    JWT_SECRET: process.env.BENCH_CHILD_JWT_SECRET,
    QR_SIGNING_SECRET: process.env.BENCH_CHILD_QR_SECRET,
  })
  const runtime = await createRuntime(config, 'all')
  const app = await buildApp(runtime)
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const port = (app.server.address() as { port: number }).port
    await createAdmin(runtime.identity, ADMIN.email, ADMIN.password)
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN })
    const token = (login.json() as { access_token: string }).access_token
    const urlOf = async (id: string) => {
      const res = await app.inject({
        method: 'GET',
        url: '/api/resources?limit=100',
        headers: { authorization: `Bearer ${token}` },
      })
      return (res.json() as { items: { id: string; url: string }[] }).items.find((i) => i.id === id)!.url
    }
    const warm = JSON.parse((await upload(port, token, MIB)).body) as { resource: { id: string; url: string } }
    await download(port, warm.resource.url)
    // awaited in here, so that the service stays up until the scenario is over (the finally below)
    return await measure(scenario, size, port, token, urlOf)
  } finally {
    await app.close()
    await runtime.close()
  }
}

async function measure(
  scenario: Scenario,
  size: number,
  port: number,
  token: string,
  urlOf: (id: string) => Promise<string>,
): Promise<Measured> {
  switch (scenario) {
    case 'upload':
      return peakGrowth(async () => {
        const r = await upload(port, token, size)
        return { status: r.status, resource_id: (JSON.parse(r.body) as { resource?: { id: string } }).resource?.id }
      })
    case 'download': {
      const url = await urlOf(process.env.BENCH_CHILD_RESOURCE!)
      return peakGrowth(async () => {
        const r = await download(port, url)
        return { status: r.size === size ? r.status : -r.size }
      })
    }
    case 'over-declared':
    case 'over-chunked':
      return peakGrowth(async () => ({
        status: (await upload(port, token, OVER, scenario === 'over-declared')).status,
      }))
    case 'baseline':
      return peakGrowth(async () => {
        const pieces: Buffer[] = []
        for await (const piece of bytes(size)) pieces.push(piece)
        return { status: Buffer.concat(pieces).length === size ? 200 : 0 }
      })
  }
}

/** Runs one scenario in a fresh process with this process' node flags (--expose-gc, a TypeScript loader). */
function inChild(scenario: Scenario, size: number, env: Record<string, string>): Promise<Measured> {
  return new Promise((resolve, reject) => {
    // the node flags of `npm start` (its young generation sets how much garbage waits for a scavenge)
    // and --expose-gc, so that each measure starts from a collected heap
    const flags = [...new Set([...SERVICE_NODE_FLAGS, '--expose-gc', ...process.execArgv])]
    const args = [...flags, __filename, 'child', scenario, String(size)]
    const p = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    p.stdout.on('data', (c: Buffer) => (out += c.toString()))
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? ''
      if (code === 0) resolve(JSON.parse(line) as Measured)
      else reject(new Error(`${scenario}: exit ${code} ${out}`))
    })
  })
}

export async function benchResources(): Promise<Row[]> {
  return withBenchDatabase(async (databaseUrl) => {
    const env = {
      BENCH_CHILD_DATABASE_URL: databaseUrl,
      BENCH_CHILD_JWT_SECRET: randomBytes(32).toString('hex'),
      BENCH_CHILD_QR_SECRET: randomBytes(32).toString('hex'),
    }
    const chunks = async () => {
      const c = new pg.Client({ connectionString: databaseUrl })
      await c.connect()
      try {
        return Number((await c.query<{ n: string }>('SELECT count(*)::text AS n FROM blob_chunks')).rows[0]!.n)
      } finally {
        await c.end()
      }
    }
    const runs: Run[] = []
    for (const size of SIZES) {
      const baseline = await inChild('baseline', size, env)
      const up = await inChild('upload', size, env)
      if (up.status !== 201 || !up.resource_id) throw new Error(`upload ${size / MIB} MiB: ${up.status}`)
      const down = await inChild('download', size, { ...env, BENCH_CHILD_RESOURCE: up.resource_id })
      if (down.status !== 200) throw new Error(`download ${size / MIB} MiB: ${down.status}`)
      runs.push({ mib: size / MIB, baseline, up, down })
    }
    const overBaseline = await inChild('baseline', OVER, env)
    const storedBefore = await chunks()
    const declared = await inChild('over-declared', OVER, env)
    const chunked = await inChild('over-chunked', OVER, env)
    for (const over of [declared, chunked]) if (over.status !== 413) throw new Error(`over the limit: ${over.status}`)
    // each over-limit child also made its 1 MiB warm-up upload: four chunks each
    const leftBehind = (await chunks()) - storedBefore - 2 * 4

    const sizes = runs.map((r) => r.mib).join(' / ')
    const each = (f: (r: Run) => Measured) =>
      `${runs.map((r) => fmt(f(r).mib, 1)).join(' / ')} MiB (${runs.map((r) => fmt(f(r).ms)).join(' / ')} ms)`
    /** bounded: the largest file's growth within BOUND_MIB of the smallest's, where the baseline grows by the difference */
    const bounded = (f: (r: Run) => Measured): Row => {
      const spread = f(runs.at(-1)!).mib - f(runs[0]!).mib
      return {
        what: '',
        value: each(f),
        baseline: `${runs.map((r) => fmt(r.baseline.mib, 1)).join(' / ')} MiB`,
        ratio: `${fmt((f(runs.at(-1)!).mib / runs.at(-1)!.baseline.mib) * 100)} %`,
        target: `+ < ${BOUND_MIB} MiB from ${runs[0]!.mib} to ${runs.at(-1)!.mib} MiB`,
        verdict: spread < BOUND_MIB ? 'yes' : 'NO',
      }
    }
    return [
      { ...bounded((r) => r.up), what: `upload ${sizes} MiB: peak RSS growth` },
      { ...bounded((r) => r.down), what: `download ${sizes} MiB: peak RSS growth` },
      {
        what: `upload ${OVER / MIB} MiB declaring its length: 413 before the body`,
        value: `${fmt(declared.mib, 1)} MiB (${fmt(declared.ms)} ms)`,
        baseline: `${fmt(overBaseline.mib, 1)} MiB`,
        target: '< 1 MiB',
        verdict: declared.mib < 1 ? 'yes' : 'NO',
      },
      {
        what: `upload ${OVER / MIB} MiB chunked: 413 once past ${LIMIT / MIB} MiB`,
        value: `${fmt(chunked.mib, 1)} MiB (${fmt(chunked.ms)} ms)`,
        baseline: `${fmt(overBaseline.mib, 1)} MiB`,
        ratio: `${fmt((chunked.mib / overBaseline.mib) * 100)} %`,
      },
      {
        what: 'chunks left by the two refused uploads',
        value: String(leftBehind),
        target: '0',
        verdict: leftBehind === 0 ? 'yes' : 'NO',
      },
    ]
  })
}

if (require.main === module) {
  if (process.argv[2] === 'child')
    child(process.argv[3] as Scenario, Number(process.argv[4]))
      .then((m) => {
        console.log(JSON.stringify(m))
        process.exit(0)
      })
      .catch((err: unknown) => {
        console.error(err)
        process.exit(1)
      })
  else
    benchResources()
      .then((rows) => printTable('Study resources: the memory an upload costs the service (PostgreSQL)', rows))
      .catch((err: unknown) => {
        console.error(err)
        process.exit(1)
      })
}
