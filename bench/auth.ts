import { fmt, percentile, printTable, withBenchDatabase, type Row } from './lib'
import { BENCH_ADMIN, get, request, startServer } from './server'
import { benchSessionCheck } from './session-check'

/**
 * `npm run bench:auth` (service in a child process at BCRYPT_ROUNDS=12):
 * /health p99 while 20 logins run at once, beside /health p99 idle in the same
 * run; login throughput; and the medians of a login with an unknown email and
 * with a wrong password, which must be within 15 % of each other; and what
 * the session check costs every authenticated request (bench/session-check.ts).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONCURRENT = 20

async function probeHealth(url: string, until: () => boolean): Promise<number[]> {
  const out: number[] = []
  while (until()) {
    const s = process.hrtime.bigint()
    await get(`${url}/health`)
    out.push(Number(process.hrtime.bigint() - s) / 1e6)
    await new Promise((r) => setTimeout(r, 5))
  }
  return out.sort((a, b) => a - b)
}

async function timeLogin(url: string, email: string, password: string): Promise<number> {
  const s = process.hrtime.bigint()
  await request(`${url}/api/auth/login`, 'POST', { email, password })
  return Number(process.hrtime.bigint() - s) / 1e6
}

export async function benchAuth(): Promise<Row[]> {
  return withBenchDatabase(async (dbUrl) => {
    const server = await startServer(
      dbUrl,
      { BCRYPT_ROUNDS: '12', BOOTSTRAP_ADMIN_EMAIL: BENCH_ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: BENCH_ADMIN.password },
      'api',
    )
    const rows: Row[] = []
    try {
      const idleEnd = Date.now() + 2000
      const idle = await probeHealth(server.url, () => Date.now() < idleEnd)

      let logins = 0
      let failures = 0
      const end = Date.now() + SECONDS * 1000
      const [busy] = await Promise.all([
        probeHealth(server.url, () => Date.now() < end),
        ...Array.from({ length: CONCURRENT }, async () => {
          while (Date.now() < end) {
            const r = await request(`${server.url}/api/auth/login`, 'POST', BENCH_ADMIN)
            if (r.status === 200) logins++
            else failures++
          }
        }),
      ])
      const p99 = percentile(busy, 99)
      rows.push({
        what: `/health p99 during ${CONCURRENT} concurrent cost-12 logins`,
        value: `${fmt(p99, 1)} ms`,
        baseline: `${fmt(percentile(idle, 99), 1)} ms idle`,
        target: '< 50 ms',
        verdict: p99 < 50 ? 'yes' : 'NO',
      })
      rows.push({
        what: 'login throughput at cost 12 (logins/s)',
        value: fmt(logins / SECONDS, 1),
        baseline: failures ? `${failures} failed` : '',
      })

      const unknown: number[] = []
      const wrong: number[] = []
      for (let i = 0; i < 20; i++) {
        unknown.push(await timeLogin(server.url, `nobody${i}@bench.example.org`, 'Wrong-Password-123'))
        wrong.push(await timeLogin(server.url, BENCH_ADMIN.email, 'Wrong-Password-123'))
      }
      unknown.sort((a, b) => a - b)
      wrong.sort((a, b) => a - b)
      const mu = percentile(unknown, 50)
      const mw = percentile(wrong, 50)
      const diff = Math.abs(mu - mw) / mw
      rows.push({
        what: 'login median: unknown email vs wrong password',
        value: `${fmt(mu, 1)} ms`,
        baseline: `${fmt(mw, 1)} ms`,
        ratio: `${fmt(diff * 100, 1)} % apart`,
        target: 'within 15 %',
        verdict: diff <= 0.15 ? 'yes' : 'NO',
      })
    } finally {
      await server.stop()
    }
    rows.push(...(await benchSessionCheck(dbUrl)))
    return rows
  })
}

if (require.main === module) {
  benchAuth()
    .then((rows) =>
      printTable('Login (service in a child process, PostgreSQL, bcrypt cost 12 on worker threads)', rows),
    )
    .catch((err: unknown) => {
      console.error(err)
      process.exit(1)
    })
}
