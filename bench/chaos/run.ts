import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { Redis } from 'ioredis'
import { PrivateRedis } from '../../test/helpers/redis-server'
import { withBenchDatabase } from '../lib'
import { seedStudents } from '../seed'
import { adminHeaders, BENCH_ADMIN_ENV, BENCH_SECRETS, openQr, request } from '../server'
import { Cluster } from './cluster'
import { type MarkPair, MarkLoad, type Tally } from './load'

export interface ChaosOptions {
  students: number
  events: number
  /** marks a second */
  rate: number
  /** PostgreSQL connection cuts */
  cuts: number
  /** seconds Redis stays down */
  redisOutageSeconds: number
  /** each process's DB_POOL_SIZE */
  poolSize: number
  /** scales the settling pauses between faults (the short run: 0.5). @defaultValue 1 */
  pace?: number
  log?: (line: string) => void
}

export interface ChaosResult {
  tally: Tally
  /** acknowledged marks missing from the event store */
  lostInStore: number
  /** acknowledged marks missing from the attendance read table */
  lostInReadModel: number
  /** attendance streams holding more than one mark, and read rows beyond one per pair */
  duplicated: number
  crashed: { name: string; code: number | null; signal: string | null; output: string }[]
  /** per PostgreSQL cut: ms until every API acknowledged a mark again */
  recoveryAfterCutMs: number[]
  /** per projector kill: ms until the read table held every mark acknowledged before the kill */
  projectionTakeoverMs: number[]
  /** answers during the Redis outage, and how many were not a 200 */
  duringRedisOutage: { answers: number; not200: number }
  redisUnavailableCounted: number
  /** every pair was marked before the run ended: the faults after that saw no load (more students or club events) */
  ranOut: boolean
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * `npm run chaos` (and, shorter, test/chaos.test.ts): the service as deployed
 * (api ×2, projector ×2, worker) on a fresh PostgreSQL database and a Redis
 * server of its own, under a steady mark load, while every role is killed
 * with SIGKILL, every connection to PostgreSQL is cut, and Redis is flushed,
 * then stopped and started again. Every request is accounted for; the event
 * store and the read table are then checked against what was acknowledged.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosResult> {
  const log = opts.log ?? (() => undefined)
  const pause = (ms: number) => sleep(ms * (opts.pace ?? 1))
  return withBenchDatabase(async (url) => {
    const teardowns: (() => unknown)[] = []
    try {
      const redis = await PrivateRedis.start({ teardown: (fn) => teardowns.push(fn) })
      const metricsToken = randomBytes(32).toString('hex')
      const cluster = new Cluster({
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        DATABASE_URL: url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: `chaos_${randomBytes(3).toString('hex')}`,
        DB_POOL_SIZE: String(opts.poolSize),
        METRICS_TOKEN: metricsToken,
        ...BENCH_ADMIN_ENV,
        ...BENCH_SECRETS,
      })
      teardowns.push(() => cluster.stopAll())
      for (const [name, role] of [
        ['api-1', 'api'],
        ['api-2', 'api'],
        ['projector-1', 'projector'],
        ['projector-2', 'projector'],
        ['worker', 'worker'],
      ] as const)
        await cluster.start(name, role)
      log('5 processes up')

      const pairs = await markPairs(cluster.url('api-1'), url, opts)
      log(`${opts.students} students, ${opts.events} club events: ${pairs.length} marks to make`)
      const sql = new pg.Client({ connectionString: url })
      await sql.connect()
      teardowns.push(() => sql.end())
      const rows = async () =>
        Number((await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM attendance_records')).rows[0]!.n)

      const apis = ['api-1', 'api-2']
      const load = new MarkLoad(pairs, () => apis.map((a) => cluster.url(a)), opts.rate)
      load.start()
      await pause(3000)

      // ---- kill -9 of each role, restarted a second later ----
      for (const name of ['api-1', 'worker']) {
        await cluster.kill9(name)
        log(`killed ${name}`)
        await sleep(1000)
        await cluster.restart(name)
        await pause(1500)
      }
      const projectionTakeoverMs: number[] = []
      for (const name of ['projector-1', 'projector-2']) {
        const before = load.tally.acknowledged
        const at = Date.now()
        await cluster.kill9(name)
        log(`killed ${name}`)
        const restarted = sleep(1000).then(() => cluster.restart(name))
        while ((await rows()) < before) await sleep(20)
        projectionTakeoverMs.push(Date.now() - at)
        await restarted
        await pause(1500)
      }

      // ---- every connection to the database cut, as a restart or a failover does ----
      const recoveryAfterCutMs: number[] = []
      for (let i = 0; i < opts.cuts; i++) {
        const at = Date.now()
        const { rows: cut } = await sql.query<{ n: number }>(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
        log(`cut ${cut[0]!.n} connections`)
        const back = async (api: string) => {
          for (;;) {
            const a = load.answers.find((x) => x.api === api && x.at > at && x.status === 200)
            if (a) return a.at - at
            if (Date.now() - at > 30_000) return Infinity
            await sleep(10)
          }
        }
        recoveryAfterCutMs.push(Math.max(...(await Promise.all(apis.map((a) => back(cluster.url(a)))))))
        await pause(2500)
      }

      // ---- Redis flushed, then gone for a while, then back (empty) ----
      const flusher = new Redis(redis.url)
      await flusher.flushall()
      flusher.disconnect()
      log('flushed Redis')
      await pause(2000)
      await redis.stop()
      const outageFrom = Date.now()
      log('stopped Redis')
      await sleep(opts.redisOutageSeconds * 1000)
      const outageTo = Date.now()
      const redisUnavailableCounted = await counted(cluster.url('api-1'), metricsToken)
      await redis.resume()
      log('Redis is back')
      await pause(3000)
      await load.stop()

      // ---- the books: what was acknowledged against what is stored and projected ----
      const acknowledged = load.acknowledged
      // the read table must catch up with every stored mark, acknowledged or not (a mark cut off by a kill
      // may be stored unacknowledged): waiting for as many rows as acknowledgements could stop one short
      const { rows: marks } = await sql.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM es_events WHERE type = 'AttendanceMarked'`,
      )
      const deadline = Date.now() + 60_000
      while ((await rows()) < Number(marks[0]!.n) && Date.now() < deadline) await sleep(100)
      const stored = await sql.query<{ stream: string; n: number }>(
        `SELECT stream, count(*)::int AS n FROM es_events WHERE type = 'AttendanceMarked' GROUP BY stream`,
      )
      const inStore = new Map(stored.rows.map((r) => [r.stream, r.n]))
      const projected = await sql.query<{ key: string; n: number }>(
        `SELECT club_event_id || '/' || user_id AS key, count(*)::int AS n FROM attendance_records GROUP BY 1`,
      )
      const inReadModel = new Map(projected.rows.map((r) => [r.key, r.n]))
      const outage = load.answers.filter((a) => a.at >= outageFrom && a.at <= outageTo)
      return {
        tally: load.tally,
        lostInStore: acknowledged.filter((p) => !inStore.has(`attendance-${p.eventId}-${p.userId}`)).length,
        lostInReadModel: acknowledged.filter((p) => !inReadModel.has(`${p.eventId}/${p.userId}`)).length,
        duplicated:
          [...inStore.values()].filter((n) => n > 1).length + [...inReadModel.values()].filter((n) => n > 1).length,
        crashed: cluster.crashes,
        recoveryAfterCutMs,
        projectionTakeoverMs,
        duringRedisOutage: { answers: outage.length, not200: outage.filter((a) => a.status !== 200).length },
        redisUnavailableCounted,
        ranOut: load.remaining === 0,
      }
    } finally {
      for (const fn of teardowns.reverse()) await fn()
    }
  })
}

/** Students seeded in the store, club events with a QR each: every (event, student) pair, shuffled. */
async function markPairs(api: string, url: string, opts: ChaosOptions): Promise<MarkPair[]> {
  const students = await seedStudents(url, opts.students)
  const admin = await adminHeaders(api)
  const pairs: MarkPair[] = []
  for (let e = 0; e < opts.events; e++) {
    const { eventId, payload } = await openQr(api, admin, {
      title: `Chaos night ${e + 1}`,
      startsAt: Date.now() - 60_000,
    })
    for (const s of students) pairs.push({ eventId, userId: s.id, token: s.token, payload })
  }
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!]
  }
  return pairs
}

/** redis_unavailable_total summed over its labels, as one API reports it. */
async function counted(api: string, token: string): Promise<number> {
  const res = await request(`${api}/metrics`, 'GET', undefined, { authorization: `Bearer ${token}` })
  let sum = 0
  for (const m of res.body.matchAll(/^redis_unavailable_total\{[^}]*\} (\d+)/gm)) sum += Number(m[1])
  return sum
}
