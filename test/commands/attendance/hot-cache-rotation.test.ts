import { randomUUID } from 'node:crypto'
import t from 'tap'
import { HotPathCache } from '../../../src/commands/attendance/hot-cache'
import { qrSessionStream } from '../../../src/domain/qr/events'
import { PostgresEventStore } from '../../../src/store/postgres/postgres-event-store'
import { openTestDb } from '../../helpers/db'
import { eventually } from '../../helpers/eventually'

t.test('another process rotating: the feed drops the cached entry, and the rotated state is kept', async (t) => {
  const db = await openTestDb(t, 'postgres', 4)
  const store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
  t.teardown(() => store.close())
  const cache = new HotPathCache(store)
  await cache.start()
  t.teardown(() => cache.stop())
  const id = randomUUID()
  const at = new Date().toISOString()
  const data = { qr_session_id: id, club_event_id: randomUUID() }
  await store.append(
    qrSessionStream(id),
    [
      {
        id: randomUUID(),
        type: 'QrIssued',
        data: { ...data, nonce: 'n', issued_at: at, expires_at: at, key_id: 'k', issued_by: randomUUID() },
        metadata: {},
      },
    ],
    { expectedRevision: 'no_stream' },
  )
  t.equal((await cache.qrSession(id)).status, 'issued')
  await store.append(
    qrSessionStream(id),
    [
      {
        id: randomUUID(),
        type: 'QrRotated',
        data: { ...data, next_qr_session_id: randomUUID(), rotated_at: at, valid_until: at },
        metadata: {},
      },
    ],
    { expectedRevision: 0n },
  )
  await eventually(async () => (await cache.qrSession(id)).status === 'rotated')
  t.pass('rotated within the feed lag')
})
