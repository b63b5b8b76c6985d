import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Runtime } from '../../src/runtime'
import { START, type StoredEvent } from '../../src/store/event-store'
import { visibleEvents } from './events'
import { eventually } from './eventually'

export { visibleEvents }

/** Appends `n` events over a few streams (one append per event, so each has its own transaction). */
export async function seedEvents(runtime: Runtime, n: number): Promise<StoredEvent[]> {
  const streams = Array.from({ length: 4 }, () => `audit_probe-${randomUUID()}`)
  let last = ''
  for (let i = 0; i < n; i++) {
    const stream = streams[i % streams.length]!
    last = randomUUID()
    await runtime.store.append(
      stream,
      [
        {
          id: last,
          type: 'ProbeRecorded',
          data: { i, nested: { b: [1, 'two', { c: null }], a: 'é\u2028' } },
          metadata: { actor_id: null, actor_role: 'system', ip: '192.0.2.1' },
        },
      ],
      { expectedRevision: 'any' },
    )
  }
  // the feed shows a transaction once every older one has ended: once our last shows, all of ours do
  let events: StoredEvent[] = []
  await eventually(async () => (events = await visibleEvents(runtime)).some((e) => e.id === last))
  return events
}

/** Waits until the chain writer has linked `n` events. */
export async function chained(runtime: Runtime, n: number): Promise<void> {
  await eventually(async () => {
    const row = await runtime.db.kysely
      .selectFrom('event_chain')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n) === n
  })
}

/** Waits until the audit_log projection has applied everything the feed shows now. */
export async function auditCaughtUp(runtime: Runtime): Promise<void> {
  // everything committed before now is in the feed once every older transaction has ended
  const db = runtime.db.kysely
  const { rows } = await sql<{ x: string }>`SELECT pg_current_xact_id()::text AS x`.execute(db)
  await eventually(
    async () =>
      (
        await sql<{ ok: boolean }>`SELECT pg_snapshot_xmin(pg_current_snapshot()) > ${rows[0]!.x}::xid8 AS ok`.execute(
          db,
        )
      ).rows[0]!.ok,
  )
  const head = await runtime.store.head()
  if (head === START) return
  await eventually(async () => {
    const cp = await runtime.db.kysely
      .selectFrom('projection_checkpoints')
      .select('position')
      .where('name', '=', 'audit_log')
      .executeTakeFirst()
    if (!cp || cp.position === START) return false
    // at or past the head: what is left to apply does not hold the head
    const left = await runtime.store.readAll({ after: cp.position, limit: 1000 })
    return left.length < 1000 && !left.some((e) => e.position === head)
  })
}

let n = 0
/** A distinct client for one request: its own address, user agent and request id, to find its rows by. */
export function client(tag: string) {
  n++
  const request_id = `audit-${tag}-${randomUUID().slice(0, 8)}`
  return {
    request_id,
    ip: `203.0.113.${(n % 250) + 1}`,
    user_agent: `AuditProbe/1.0 (${tag}; #${n})`,
    headers: { 'user-agent': `AuditProbe/1.0 (${tag}; #${n})`, 'x-request-id': request_id },
  }
}

/** Every audit row of one request, once the projection has caught up. */
export async function rowsOf(runtime: Runtime, requestId: string) {
  await auditCaughtUp(runtime)
  return runtime.db.kysely
    .selectFrom('audit_log')
    .selectAll()
    .where('request_id', '=', requestId)
    .orderBy('at')
    .orderBy('id')
    .execute()
}
