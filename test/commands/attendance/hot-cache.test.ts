import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { HotPathCache } from '../../../src/commands/attendance/hot-cache'
import { qrSessionStream } from '../../../src/domain/qr/events'
import type { EventStore } from '../../../src/store/event-store'
import { InProcessNotifier } from '../../../src/db/pglite-pool'
import { PostgresEventStore } from '../../../src/store/postgres/postgres-event-store'
import { openTestDb } from '../../helpers/db'
import { eventually } from '../../helpers/eventually'

/** The real PostgreSQL store, with its stream reads counted. */
async function countingStore(t: Test): Promise<{ store: EventStore; reads: () => number }> {
  const db = await openTestDb(t, 'postgres', 6)
  const real = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
  t.teardown(() => real.close())
  let reads = 0
  const store = Object.assign(Object.create(real) as EventStore, {
    readStream: (s: string) => {
      reads++
      return real.readStream(s)
    },
  })
  return { store, reads: () => reads }
}

const issued = (id: string) => ({
  id: randomUUID(),
  type: 'QrIssued',
  data: {
    qr_session_id: id,
    club_event_id: randomUUID(),
    nonce: randomUUID(),
    issued_at: new Date().toISOString(),
    expires_at: new Date(Date.now() + 60_000).toISOString(),
    key_id: 'k1',
    issued_by: randomUUID(),
  },
  metadata: {},
})
const revoked = (id: string) => ({
  id: randomUUID(),
  type: 'QrRevoked',
  data: {
    qr_session_id: id,
    club_event_id: randomUUID(),
    revoked_by: randomUUID(),
    revoked_at: new Date().toISOString(),
  },
  metadata: {},
})

t.test('a hall scanning a fresh QR reads its stream once, not once per student', async (t) => {
  const { store, reads } = await countingStore(t)
  const cache = new HotPathCache(store)
  const id = randomUUID()
  await store.append(qrSessionStream(id), [issued(id)], { expectedRevision: 'no_stream' })
  const states = await Promise.all(Array.from({ length: 50 }, () => cache.qrSession(id)))
  t.equal(reads(), 1, 'one read for 50 concurrent misses')
  t.ok(states.every((s) => s.status === 'issued'))
  await cache.qrSession(id)
  t.equal(reads(), 1, 'then served from memory')
})

t.test('a revocation during a read: later callers read again, and the stale state is not kept', async (t) => {
  const { store, reads } = await countingStore(t)
  const cache = new HotPathCache(store)
  const id = randomUUID()
  await store.append(qrSessionStream(id), [issued(id)], { expectedRevision: 'no_stream' })
  const early = cache.qrSession(id) // under way, sees the issued state
  await store.append(qrSessionStream(id), [revoked(id)], { expectedRevision: 0n })
  await cache.forgetQrSession(id)
  const late = cache.qrSession(id)
  t.equal(reads(), 2, 'the caller after the revocation does not join the earlier read')
  t.equal((await late).status, 'revoked')
  await early
  t.equal((await cache.qrSession(id)).status, 'revoked', 'the earlier read did not put the old state back')
})

t.test('another process revoking: the feed drops the cached entry', async (t) => {
  const { store } = await countingStore(t)
  const cache = new HotPathCache(store)
  await cache.start()
  t.teardown(() => cache.stop())
  const id = randomUUID()
  await store.append(qrSessionStream(id), [issued(id)], { expectedRevision: 'no_stream' })
  t.equal((await cache.qrSession(id)).status, 'issued')
  await store.append(qrSessionStream(id), [revoked(id)], { expectedRevision: 0n })
  await eventually(async () => (await cache.qrSession(id)).status === 'revoked')
  t.pass('revoked within the feed lag')
})

t.test(
  'lost notifications (the LISTEN connection came back): everything is read again, a read under way is not kept',
  async (t) => {
    const { store, reads } = await countingStore(t)
    const notifier = new InProcessNotifier()
    const cache = new HotPathCache(store, { notifier })
    await cache.start()
    t.teardown(() => cache.stop())
    const [a, b] = [randomUUID(), randomUUID()]
    await store.append(qrSessionStream(a), [issued(a)], { expectedRevision: 'no_stream' })
    await store.append(qrSessionStream(b), [issued(b)], { expectedRevision: 'no_stream' })
    await cache.qrSession(a)
    const early = cache.qrSession(b) // under way when the notifications are lost
    await store.append(qrSessionStream(a), [revoked(a)], { expectedRevision: 0n })
    await store.append(qrSessionStream(b), [revoked(b)], { expectedRevision: 0n })
    await notifier.notify('dscp_hot_path', 'reconnect')
    t.equal((await cache.qrSession(a)).status, 'revoked', 'the cached entry is gone')
    await early
    t.equal((await cache.qrSession(b)).status, 'revoked', 'the read under way did not fill the cache')
    t.equal(reads(), 4)
  },
)
