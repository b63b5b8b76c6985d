// Run as a child process by runner.test.ts, which kills it with SIGKILL mid-run.
import { openDb } from '../../src/db/connection'
import { PgLeaderLocks } from '../../src/projections/leader-lock'
import { ProjectionRunner } from '../../src/projections/runner'
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store'
import { fixtureConsumer } from './runner-fixture'

async function main(): Promise<void> {
  const url = process.argv[2]!
  const db = await openDb({ databaseUrl: url, dataDir: '', poolSize: 4 })
  const store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
  const runner = new ProjectionRunner({
    db: db.kysely,
    store,
    consumer: fixtureConsumer({ delayMs: 20 }),
    locks: new PgLeaderLocks(url),
    batchSize: 25,
    lockRetryMs: 100,
    onApplied: () => process.stdout.write('batch\n'),
  })
  runner.start()
}

void main()
