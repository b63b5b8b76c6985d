import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import type { SqlPool } from '../src/db/sql-pool'
import { type EventStore, START } from '../src/store/event-store'

/** Shared helpers for the benchmarks: a throwaway database, timed loops, a table. */
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export async function withBenchDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `dscp_bench_${randomBytes(4).toString('hex')}`
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: BENCH_DATABASE_URL })
    await c.connect()
    try {
      await c.query(sql)
    } finally {
      await c.end()
    }
  }
  await admin(`CREATE DATABASE ${name}`)
  const u = new URL(BENCH_DATABASE_URL)
  u.pathname = `/${name}`
  try {
    return await fn(u.toString())
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
}

/**
 * Runs `op` in `workers` parallel loops, each call after the one before, for
 * `seconds`: each call's latency (sorted, ms), how many answered false, and
 * calls per second. An op that throws ends the run.
 */
export async function closedLoop(
  workers: number,
  seconds: number,
  op: (worker: number, i: number) => Promise<boolean | void>,
): Promise<{ latencies: number[]; failed: number; perSecond: number }> {
  const latencies: number[] = []
  let failed = 0
  const deadline = Date.now() + seconds * 1000
  const start = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const at = performance.now()
        if ((await op(w, i)) === false) failed++
        latencies.push(performance.now() - at)
      }
    }),
  )
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9
  return { latencies: latencies.sort((a, b) => a - b), failed, perSecond: latencies.length / elapsed }
}

/** Runs `op` in `workers` parallel loops for `seconds`; returns completed ops per second. */
export async function throughput(
  workers: number,
  seconds: number,
  op: (worker: number, i: number) => Promise<void>,
): Promise<number> {
  return (await closedLoop(workers, seconds, op)).perSecond
}

/** The baseline the write benches set beside an append: a row in a table of their own, one transaction each. */
export async function createBaselineTable(pool: SqlPool): Promise<void> {
  await pool.query('CREATE TABLE IF NOT EXISTS bench_baseline (id uuid PRIMARY KEY, data jsonb NOT NULL)')
}

/** One `BEGIN; INSERT; COMMIT` into bench_baseline on a connection of its own. */
export async function rawInsert(pool: SqlPool, data: unknown): Promise<void> {
  const c = await pool.connect()
  try {
    await c.query('BEGIN')
    await c.query('INSERT INTO bench_baseline (id, data) VALUES ($1, $2)', [randomUUID(), JSON.stringify(data)])
    await c.query('COMMIT')
  } finally {
    c.release()
  }
}

/**
 * Open loop: starts op(i) every 1/rate s for `seconds`, whatever the answers
 * do, and times each from when it was DUE, so a stalled generator counts
 * against the figure rather than hiding it. Returns sorted latencies in ms and
 * how many ops answered false or threw.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  op: (i: number) => Promise<boolean>,
): Promise<{ latencies: number[]; errors: number }> {
  const total = Math.round(rate * seconds)
  const latencies: number[] = []
  let errors = 0
  const pending: Promise<void>[] = []
  const start = performance.now() + 20
  const due = (i: number) => start + (i * 1000) / rate
  await new Promise<void>((done) => {
    let i = 0
    const tick = () => {
      for (; i < total && due(i) <= performance.now(); i++) {
        const at = due(i)
        pending.push(
          op(i).then(
            (ok) => {
              latencies.push(performance.now() - at)
              if (!ok) errors++
            },
            () => {
              latencies.push(performance.now() - at)
              errors++
            },
          ),
        )
      }
      if (i < total) setTimeout(tick, Math.max(0, due(i) - performance.now()))
      else done()
    }
    setTimeout(tick, 20)
  })
  await Promise.all(pending)
  return { latencies: latencies.sort((a, b) => a - b), errors }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** The median of `runs` calls of `fn`, one after the other: ms. */
export async function medianMs(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const at = performance.now()
    await fn()
    times.push(performance.now() - at)
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  )
}

export interface Row {
  what: string
  value: string
  baseline?: string
  ratio?: string
  target?: string
  verdict?: string
}

export function printTable(title: string, rows: Row[]): void {
  const head: Row = {
    what: 'what',
    value: 'ours',
    baseline: 'baseline',
    ratio: 'ratio',
    target: 'target',
    verdict: 'met',
  }
  const cols: (keyof Row)[] = ['what', 'value', 'baseline', 'ratio', 'target', 'verdict']
  const all = [head, ...rows]
  const width = cols.map((c) => Math.max(...all.map((r) => (r[c] ?? '').length)))
  const line = (r: Row) => '| ' + cols.map((c, i) => (r[c] ?? '').padEnd(width[i]!)).join(' | ') + ' |'
  console.log(`\n${title}\n`)
  console.log(line(head))
  console.log('|' + width.map((w) => '-'.repeat(w + 2)).join('|') + '|')
  for (const r of rows) console.log(line(r))
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** A bare subscriber reading the whole feed from the start (what a projection adds to reading it): seconds and events. */
export async function bareFeedRead(store: EventStore): Promise<{ s: number; events: number }> {
  const head = await store.head()
  const started = performance.now()
  let events = 0
  await new Promise<void>((resolve, reject) => {
    const sub = store.subscribe({ after: START, limit: 1000 }, async (batch) => {
      events += batch.length
      if (store.compare(batch.at(-1)!.position, head) >= 0) void sub.stop().then(resolve)
    })
    sub.done.catch(reject)
  })
  return { s: (performance.now() - started) / 1000, events }
}

/** `--name N` from the command line, or the fallback. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not ${process.argv[i + 1]}`)
  return n
}
