import { printTable } from './lib'
import { runChaos } from './chaos/run'

/**
 * `npm run chaos`: the chaos run at full size (CHAOS_STUDENTS, CHAOS_EVENTS,
 * CHAOS_RATE change it), its table, and exit 1 unless it held: 0 processes
 * crashed, 0 acknowledged marks lost or duplicated, 0 answers 500, every API
 * back within 2 s of each PostgreSQL cut, every mark during the Redis outage
 * acknowledged.
 */
async function main(): Promise<void> {
  const r = await runChaos({
    students: Number(process.env.CHAOS_STUDENTS ?? 1000),
    events: Number(process.env.CHAOS_EVENTS ?? 8),
    rate: Number(process.env.CHAOS_RATE ?? 100),
    cuts: 3,
    redisOutageSeconds: 5,
    poolSize: 10,
    log: (line) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`),
  })
  const t = r.tally
  const ms = (l: number[]) => l.map((n) => `${n} ms`).join(', ')
  const checks: [string, string, string, boolean][] = [
    ['marks sent', String(t.sent), '', true],
    ['acknowledged (200)', String(t.acknowledged), '', t.acknowledged > 0],
    ['503 unavailable (refused, not stored)', String(t.unavailable), '', true],
    ['no answer (connection cut mid-request)', String(t.noAnswer), '', true],
    ['answers 500 (or any 5xx but 503)', String(t.errors5xx), '0', t.errors5xx === 0],
    ['answers 4xx', String(t.refused4xx), '0', t.refused4xx === 0],
    ['acknowledged, missing from the event store', String(r.lostInStore), '0', r.lostInStore === 0],
    ['acknowledged, missing from the read table', String(r.lostInReadModel), '0', r.lostInReadModel === 0],
    ['duplicated (store streams + read rows)', String(r.duplicated), '0', r.duplicated === 0],
    ['processes crashed', String(r.crashed.length), '0', r.crashed.length === 0],
    [
      'back after each PostgreSQL cut (every API)',
      ms(r.recoveryAfterCutMs),
      '< 2,000 ms',
      r.recoveryAfterCutMs.every((n) => n < 2000),
    ],
    ['projector killed → read table caught up', ms(r.projectionTakeoverMs), '', true],
    [
      'answers during the Redis outage / not 200',
      `${r.duringRedisOutage.answers} / ${r.duringRedisOutage.not200}`,
      '> 0 / 0',
      r.duringRedisOutage.answers > 0 && r.duringRedisOutage.not200 === 0,
    ],
    ['requests that did without Redis (api-1)', String(r.redisUnavailableCounted), '', true],
    ['the load lasted the whole run', r.ranOut ? 'no: add CHAOS_STUDENTS or CHAOS_EVENTS' : 'yes', 'yes', !r.ranOut],
  ]
  printTable(
    'Chaos: api ×2, projector ×2, worker under a steady mark load',
    checks.map(([what, value, target, ok]) => ({ what, value, target, verdict: target ? (ok ? 'yes' : 'NO') : '' })),
  )
  for (const c of r.crashed) console.error(`crashed: ${c.name} (${c.code ?? c.signal})\n${c.output}`)
  if (!checks.every(([, , , ok]) => ok)) process.exit(1)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
