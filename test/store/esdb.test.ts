import t from 'tap'
import type { EventStore } from '../../src/store/event-store'
import { createEsdbEventStore } from '../../src/store/esdb'
import { eventStoreContract } from '../helpers/store-contract'

/**
 * The EventStore contract against EventStoreDB/KurrentDB, whenever
 * EVENTSTORE_URL points at one (e.g. esdb://127.0.0.1:2113?tls=false).
 * Streams get random names, so a shared server is fine.
 * ESDB checks event ids per stream only, so the contract runs with
 * globalEventIds: false (see src/store/esdb).
 */
const url = process.env.EVENTSTORE_URL

function adapter(
  connectionString: string,
  onError = (e: Error) => console.error(`esdb subscription dropped: ${e.message}`),
): EventStore {
  return createEsdbEventStore(connectionString, { onError })
}

t.test(
  'EventStoreDB contract suite',
  { skip: url ? false : 'EVENTSTORE_URL is not set: no EventStoreDB/KurrentDB to run the contract against' },
  async (t) => {
    let store: EventStore | undefined
    t.teardown(() => store?.close())
    eventStoreContract(t, async () => (store = adapter(url!)), { globalEventIds: false })

    t.test('ping answers while the server is up', async (t) => {
      await t.resolves(store!.ping())
    })

    t.test('a position from the PostgreSQL adapter is refused', async (t) => {
      await t.rejects(store!.readAll({ after: '123:456' }), { name: 'InvalidPosition' })
    })
  },
)

// no server needed: these never get as far as the network, or expect it to fail
t.test('a foreign position is refused before any request is made', async (t) => {
  const store = adapter('esdb://127.0.0.1:1?tls=false')
  t.teardown(() => store.close())
  t.equal(store.kind, 'esdb')
  await t.rejects(store.readAll({ after: '123:456' }), { name: 'InvalidPosition' })
  t.throws(() => store.subscribe({ after: 'commit:1/prepare:2' }, async () => undefined), { name: 'InvalidPosition' })
  await t.rejects(store.append('thing-1', [], { expectedRevision: 'any' }), { message: /at least one event/ })
})

t.test('ping rejects when nothing answers at the address', async (t) => {
  const store = adapter('kurrentdb://127.0.0.1:1?tls=false')
  t.teardown(() => store.close())
  const err = await store.ping().then(
    () => undefined,
    (e: unknown) => e,
  )
  t.match(err, { type: 'unavailable' }, 'the client reports the server unavailable')
})

t.test('a subscription that cannot reach the server reports it, keeps trying, and ends on close', async (t) => {
  const errors: Error[] = []
  const store = adapter('esdb://127.0.0.1:1?tls=false', (e) => errors.push(e))
  const sub = store.subscribe({}, async () => undefined)
  while (errors.length < 2) await new Promise((r) => setTimeout(r, 20))
  t.match(errors[0], { type: 'unavailable' })
  await store.close()
  await t.resolves(sub.done, 'close stops the subscription')
})
