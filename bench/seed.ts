import { randomUUID } from 'node:crypto'
import { SYSTEM_CONTEXT } from '../src/commands/context'
import { handleCommand } from '../src/commands/handle'
import { openDb } from '../src/db/connection'
import { userDecider } from '../src/domain/identity/user'
import { userIdForEmail, userStream } from '../src/domain/identity/user-events'
import { createTokenService } from '../src/platform/auth/access-tokens'
import { PostgresEventStore } from '../src/store/postgres/postgres-event-store'
import { BENCH_SECRETS } from './server'

/**
 * `n` approved students, written straight to the store (two appends each, no
 * HTTP, no bcrypt), with an access token each signed with the bench's key:
 * the benches measure marks, not signups.
 */
export async function seedStudents(url: string, n: number): Promise<{ id: string; token: string }[]> {
  const db = await openDb({ databaseUrl: url, dataDir: '', poolSize: 20 })
  const store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
  const deps = { store, sources: { now: () => new Date(), uuid: randomUUID } }
  const tokens = createTokenService({ secret: BENCH_SECRETS.JWT_SECRET, accessTtlSeconds: 3600 })
  // every student has the same (irrelevant) hash: the bench measures marks, not bcrypt
  const hash = '$2a$04$abcdefghijklmnopqrstuu6fJbXnVJX0kWm1Kz1c3QdA0nqzqfO2e'
  const out: { id: string; token: string }[] = []
  for (let i = 0; i < n; i += 50) {
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, n - i) }, async (_, j) => {
          const email = `student${i + j}.${randomUUID().slice(0, 6)}@bench.example.org`
          const id = userIdForEmail(email)
          const { after } = await handleCommand(
            deps,
            userStream(id),
            userDecider,
            {
              type: 'RequestSignup',
              data: {
                user_id: id,
                request_id: randomUUID(),
                email,
                full_name: `Student ${i + j}`,
                password_hash: hash,
                timeout_ms: 3_600_000,
              },
              metadata: { actor_id: null, now: new Date() },
            },
            SYSTEM_CONTEXT,
          )
          if (after.status !== 'pending') throw new Error('seed failed')
          await handleCommand(
            deps,
            userStream(id),
            userDecider,
            {
              type: 'DecideApproval',
              data: { request_id: after.request.id, decision: 'approve', role: 'student', reason: null },
              metadata: { actor_id: randomUUID(), now: new Date() },
            },
            SYSTEM_CONTEXT,
          )
          return { id, token: tokens.signAccess({ sub: id, role: 'student', sid: randomUUID() }, new Date()).token }
        }),
      )),
    )
  }
  await store.close()
  await db.close()
  return out
}
