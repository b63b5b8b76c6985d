import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { openDb } from '../src/db/connection'
import {
  createBaselineTable,
  fmt,
  openLoop,
  percentile,
  printTable,
  rawInsert,
  throughput,
  withBenchDatabase,
  type Row,
} from './lib'
import { postRequest, RawHttpClient } from './raw-http'
import { seedStudents } from './seed'
import { adminHeaders, BENCH_ADMIN_ENV, openQr, request, startServer } from './server'

/**
 * `npm run bench:scan`: N approved students (default 1,000) scan one QR at the
 * same moment over HTTP against the real service in a child process; then a
 * steady open-loop run at 500 marks/s. Beside them, the raw
 * `BEGIN; INSERT; COMMIT` baseline through pg at the same concurrency.
 *
 * The service runs as one `all` process (the embedded deployment); with
 * BENCH_SPLIT=1 as an `api` and a `projector` process. A warm-up hall scans
 * another event first: the figures are those of a service that has been up.
 * BENCH_STUDENTS, BENCH_RATE, BENCH_STEADY_SECONDS and BENCH_STEADY_ROUNDS change the load.
 */
const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 1000)
const RATE = Number(process.env.BENCH_RATE ?? 500)
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 5)
const STEADY_ROUNDS = Number(process.env.BENCH_STEADY_ROUNDS ?? 3)
const CONCURRENCY = 20 // the server's DB_POOL_SIZE
// keep-alive connections for the steady run: enough that none waits below 400 ms of latency
const STEADY_CONNECTIONS = 200

/**
 * What read-your-writes costs: an admin creates a club event and reads it at
 * once (the read waits until the club_events projection has the event), beside
 * the same read with nothing pending, `n` of each, one at a time.
 */
async function readAfterWrite(url: string, admin: Record<string, string>, n = 200): Promise<Row[]> {
  const hour = 3_600_000
  const create = async () => {
    const body = {
      title: 'Read after write',
      starts_at: new Date(Date.now() + hour).toISOString(),
      ends_at: new Date(Date.now() + 2 * hour).toISOString(),
    }
    return (
      JSON.parse((await request(`${url}/api/admin/events`, 'POST', body, admin)).body) as { event: { id: string } }
    ).event.id
  }
  const timedRead = async (id: string) => {
    const from = performance.now()
    const res = await request(`${url}/api/events/${id}`, 'GET', undefined, admin)
    if (res.status !== 200) throw new Error(`read after write: ${res.status}`)
    return performance.now() - from
  }
  const afterWrite: number[] = []
  const settled: number[] = []
  const old = await create()
  await timedRead(old)
  for (let i = 0; i < n; i++) {
    afterWrite.push(await timedRead(await create()))
    settled.push(await timedRead(old))
  }
  const pair = (l: number[]) => `${fmt(percentile(l, 50), 1)} / ${fmt(percentile(l, 99), 1)} ms`
  return [
    {
      what: `a read straight after the session's write: p50 / p99 (baseline: the same read, nothing pending)`,
      value: pair(afterWrite.sort((a, b) => a - b)),
      baseline: pair(settled.sort((a, b) => a - b)),
    },
  ]
}

export async function benchScan(): Promise<Row[]> {
  return withBenchDatabase(async (url) => {
    const split = process.env.BENCH_SPLIT === '1'
    const server = await startServer(url, BENCH_ADMIN_ENV, split ? 'api' : 'all')
    const projector = split ? await startServer(url, {}, 'projector') : undefined
    const rows: Row[] = []
    try {
      const students = (await seedStudents(url, STUDENTS)).map((s) => s.token)
      const admin = await adminHeaders(server.url)
      const newQr = () => openQr(server.url, admin)

      // open the connections first, as phones on the hall's wifi would have, and
      // warm the service up (JIT, pools, caches) with a hall scanning another
      // event, as a service running all day would be; its rows are projected
      // before the measured burst starts
      const db = await openDb({ databaseUrl: url, dataDir: '', poolSize: CONCURRENCY + 2 })
      // waits (up to 60 s) until `n` marks of these club events are rows; how many there are then, and how long it took
      const projected = async (eventIds: string[], n: number) => {
        const from = performance.now()
        const rowsOf = async () =>
          Number(
            (
              await sql<{
                n: string
              }>`SELECT count(*)::text AS n FROM attendance_records WHERE club_event_id = ANY(${eventIds}::uuid[])`.execute(
                db.kysely,
              )
            ).rows[0]!.n,
          )
        let rows = await rowsOf()
        while (rows < n && performance.now() - from < 60_000) {
          await new Promise((r) => setTimeout(r, 5))
          rows = await rowsOf()
        }
        return { rows, ms: performance.now() - from }
      }
      // one keep-alive connection per student, through the lean client (raw-http.ts):
      // the phones have CPUs of their own, the bench shares the service's two cores
      const client = new RawHttpClient(Number(new URL(server.url).port))
      await client.open(Math.max(STUDENTS, STEADY_CONNECTIONS))
      const markRequests = (payload: string) =>
        students.map((token) =>
          postRequest('/api/attendance/mark', { qr_payload: payload }, { authorization: `Bearer ${token}` }),
        )
      const warm = await newQr()
      const warmed = await Promise.all(markRequests(warm.payload).map((r) => client.send(r)))
      await projected([warm.eventId], warmed.filter((status) => status === 200).length)

      const burst = await newQr()
      const burstRequests = markRequests(burst.payload)
      const latencies: number[] = []
      let errors = 0
      const cpu0 = server.cpuMs() + (projector?.cpuMs() ?? 0)
      const t0 = process.hrtime.bigint()
      await Promise.all(
        burstRequests.map(async (r) => {
          const s = process.hrtime.bigint()
          const status = await client.send(r)
          latencies.push(Number(process.hrtime.bigint() - s) / 1e6)
          if (status !== 200) errors++
        }),
      )
      const wall = Number(process.hrtime.bigint() - t0) / 1e6
      latencies.sort((a, b) => a - b)

      // zero lost, zero duplicated: the projection must hold exactly N rows
      const rowsProjected = (await projected([burst.eventId], STUDENTS - errors)).rows
      const cpuPerMark = ((server.cpuMs() + (projector?.cpuMs() ?? 0) - cpu0) * 1000) / STUDENTS

      await createBaselineTable(db.pool)
      const insertBaseline = () => rawInsert(db.pool, { user_id: randomUUID(), at: new Date().toISOString() })
      const baseline = await throughput(CONCURRENCY, 3, insertBaseline)
      const marksPerSecond = (STUDENTS - errors) / (wall / 1000)
      rows.push({
        what: `${fmt(STUDENTS)} students scan one QR at once: wall time`,
        value: `${fmt(wall)} ms`,
        target: '< 1,000 ms',
        verdict: wall < 1000 ? 'yes' : 'NO',
      })
      rows.push({
        what: 'burst latency p50 / p95 / p99',
        value: `${fmt(percentile(latencies, 50))} / ${fmt(percentile(latencies, 95))} / ${fmt(percentile(latencies, 99))} ms`,
      })
      rows.push({
        what: 'service CPU per mark in the burst, projecting included (µs)',
        value: fmt(cpuPerMark),
      })
      rows.push({
        what: 'burst errors (non-200)',
        value: fmt(errors),
        target: '0',
        verdict: errors === 0 ? 'yes' : 'NO',
      })
      rows.push({
        what: 'rows projected (lost / duplicated)',
        value: `${fmt(rowsProjected)} of ${fmt(STUDENTS)}`,
        target: 'all, once',
        verdict: rowsProjected === STUDENTS ? 'yes' : 'NO',
      })
      rows.push({
        what: 'marks/s in the burst vs raw insert tx/s',
        value: fmt(marksPerSecond),
        baseline: fmt(baseline),
        ratio: `${fmt((marksPerSecond / baseline) * 100)} %`,
        target: '>= 50 %',
        verdict: marksPerSecond / baseline >= 0.5 ? 'yes' : 'NO',
      })

      // steady open loop, in rounds of two back-to-back runs at the same rate:
      // the raw insert transaction (the service idling), then marks over a
      // lean client (raw-http.ts). The machine is shared and noisy, so each
      // round sets the marks beside the baseline of the same moment, and the
      // verdict is on the median round.
      const total = RATE * STEADY_SECONDS
      const pair = (l: number[]) => `${fmt(percentile(l, 50), 1)} / ${fmt(percentile(l, 99), 1)} ms`
      const p99s: number[] = []
      let steadyErrors = 0
      let trail = 0
      for (let round = 1; round <= STEADY_ROUNDS; round++) {
        const raw = await openLoop(RATE, STEADY_SECONDS, async () => {
          await insertBaseline()
          return true
        })
        const qrs = await Promise.all(Array.from({ length: Math.ceil(total / STUDENTS) }, newQr))
        const requests = Array.from({ length: total }, (_, i) =>
          postRequest(
            '/api/attendance/mark',
            { qr_payload: qrs[Math.floor(i / STUDENTS)]!.payload },
            { authorization: `Bearer ${students[i % STUDENTS]!}` },
          ),
        )
        const steady = await openLoop(RATE, STEADY_SECONDS, async (i) => (await client.send(requests[i]!)) === 200)
        // how far the read side trails: from the last acknowledged mark until every mark is a row
        trail = Math.max(
          trail,
          (
            await projected(
              qrs.map((q) => q.eventId),
              total - steady.errors,
            )
          ).ms,
        )
        steadyErrors += steady.errors
        p99s.push(percentile(steady.latencies, 99))
        rows.push({
          what: `steady ${RATE} marks/s for ${STEADY_SECONDS} s, round ${round}: p50 / p99 (baseline: raw insert tx)`,
          value: pair(steady.latencies),
          baseline: pair(raw.latencies),
        })
      }
      client.close()
      const p99 = p99s.sort((a, b) => a - b)[Math.floor(p99s.length / 2)]!
      rows.push({
        what: `steady p99, median of ${STEADY_ROUNDS} rounds`,
        value: `${fmt(p99, 1)} ms`,
        target: 'p99 < 25 ms',
        verdict: p99 < 25 ? 'yes' : 'NO',
      })
      rows.push({
        what: 'steady errors (non-200)',
        value: fmt(steadyErrors),
        target: '0',
        verdict: steadyErrors === 0 ? 'yes' : 'NO',
      })
      rows.push({
        what: 'read side: last steady mark acknowledged → projected (worst round)',
        value: `${fmt(trail)} ms`,
        target: '< 250 ms',
        verdict: trail < 250 ? 'yes' : 'NO',
      })
      rows.push(...(await readAfterWrite(server.url, admin)))
      await db.close()
    } finally {
      await server.stop()
      await projector?.stop()
    }
    return rows
  })
}

if (require.main === module) {
  benchScan()
    .then((rows) => printTable('QR scans over HTTP (service in a child process, PostgreSQL, rate limits off)', rows))
    .catch((err: unknown) => {
      console.error(err)
      process.exit(1)
    })
}
