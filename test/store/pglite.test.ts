import t from 'tap'
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store'
import { openTestDb } from '../helpers/db'
import { eventStoreContract } from '../helpers/store-contract'

eventStoreContract(t, async () => {
  const db = await openTestDb(t, 'pglite')
  return new PostgresEventStore({ pool: db.pool, notifier: db.notifier, kind: 'pglite' })
})
