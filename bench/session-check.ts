import { randomUUID } from 'node:crypto'
import { RevokedSessions } from '../src/commands/identity/revoked-sessions'
import { openDb } from '../src/db/connection'
import { migrateEventStore } from '../src/db/migrate'
import { createTokenService } from '../src/platform/auth/access-tokens'
import { PostgresEventStore } from '../src/store/postgres/postgres-event-store'
import { fmt, type Row } from './lib'
import { BENCH_SECRETS } from './server'

const CALLS = 1_000_000
const ENDED_SESSIONS = 10_000

/** ns per call of `fn` over CALLS calls (after a warm-up of as many), the median of five runs */
function nsPerCall(fn: (i: number) => unknown): number {
  const runs: number[] = []
  for (let r = 0; r < 6; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < CALLS; i++) fn(i)
    if (r > 0) runs.push(Number(process.hrtime.bigint() - start) / CALLS)
  }
  return runs.sort((a, b) => a - b)[2]!
}

/**
 * The session check every authenticated request makes (RevokedSessions.ended,
 * commands/identity/revoked-sessions.ts) against the step beside it on the same
 * path, verifying an access token the process has seen before: both in memory,
 * timed in this process with ten thousand sessions ended.
 */
export async function benchSessionCheck(dbUrl: string): Promise<Row[]> {
  const db = await openDb({ databaseUrl: dbUrl, dataDir: '', poolSize: 2 })
  await migrateEventStore(db.kysely)
  const store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
  const revocations = new RevokedSessions(store, db.notifier, { accessTtlMs: 900_000 })
  await revocations.start()
  try {
    for (let i = 0; i < ENDED_SESSIONS; i++) await revocations.revoked({ session_id: randomUUID(), reason: 'logout' })
    const tokens = createTokenService({ secret: BENCH_SECRETS.JWT_SECRET, accessTtlSeconds: 900 })
    // issued after the process began listening, as every token is a quarter of an hour after a start
    const later = new Date(Date.now() + 5000)
    const live = Array.from({ length: 1000 }, () =>
      tokens.signAccess({ sub: randomUUID(), role: 'student', sid: randomUUID() }, later),
    )
    const claims = live.map((t) => tokens.verifyAccess(t.token, later))
    let ended = 0
    const check = nsPerCall((i) => {
      const c = claims[i % 1000]!
      if (revocations.ended(c.sid, c.iat) === true) ended++
    })
    const verify = nsPerCall((i) => tokens.verifyAccess(live[i % 1000]!.token, later))
    if (ended) throw new Error('a live session was taken for an ended one')
    return [
      {
        what: `session check per request (${fmt(ENDED_SESSIONS)} sessions ended)`,
        value: `${fmt(check, 1)} ns`,
        baseline: `${fmt(verify, 1)} ns verifying a known token`,
        ratio: `${fmt(check / verify, 2)}x`,
      },
    ]
  } finally {
    await revocations.stop()
    await store.close()
    await db.close()
  }
}
