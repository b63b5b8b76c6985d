import { sql, type Kysely } from 'kysely'
import type { Database } from '../../src/db/database'
import type { DomainEvent } from '../../src/domain/decider'
import { projectionConsumer } from '../../src/projections/apply'
import type { Consumer } from '../../src/projections/projection'

/** The fixture's table, a schema of its own beside the read model's. */
export interface FixtureTables {
  runner_fixture_rows: { event_id: string; stream: string; n: number }
}

/**
 * A consumer for runner tests: one row per event in a table WITHOUT a unique
 * key, so an event applied twice shows up as two rows instead of an error.
 */
export const TABLE = 'runner_fixture_rows' as const

export async function createFixtureTable(db: Kysely<Database>): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS runner_fixture_rows (event_id uuid NOT NULL, stream text NOT NULL, n int NOT NULL)`.execute(
    db,
  )
}

export function fixtureConsumer(opts: { delayMs?: number; failOnce?: (n: number) => boolean } = {}): Consumer {
  const inner = projectionConsumer<DomainEvent, FixtureTables>({
    name: 'runner_fixture',
    tables: [TABLE],
    canHandle: 'all',
    project: (e) => [
      { kind: 'insert', table: TABLE, row: { event_id: e.id, stream: e.stream, n: (e.data as { n: number }).n } },
    ],
  })
  const failed = new Set<number>()
  return {
    ...inner,
    async handle(trx, events) {
      await inner.handle(trx, events)
      for (const e of events) {
        const n = (e.data as { n: number }).n
        // the rows above are already written in this transaction: the throw must roll them back
        if (opts.failOnce?.(n) && !failed.has(n)) {
          failed.add(n)
          throw new Error(`injected failure at event ${n}`)
        }
      }
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs))
    },
  }
}

export async function fixtureCounts(db: Kysely<Database>): Promise<{ rows: number; distinct: number }> {
  const { rows } = await sql<{
    rows: string
    distinct: string
  }>`SELECT count(*) AS rows, count(DISTINCT event_id) AS distinct FROM runner_fixture_rows`.execute(db)
  return { rows: Number(rows[0]!.rows), distinct: Number(rows[0]!.distinct) }
}
