import { type Kysely, sql } from 'kysely'
import { feedPages } from '../store/feed-pages'
import type { Database } from '../db/database'
import { migrateReadModel, useSchema } from '../db/migrate'
import { projections } from '.'
import { applyTo, projectionConsumer } from './apply'
import type { EventStore } from '../store/event-store'

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/
const RESERVED = new Set(['public', 'analytics', 'information_schema'])

export class BadReplaySchema extends Error {
  override readonly name = 'BadReplaySchema'
}

/**
 * `replay --until <time> --schema <name>`: the read models as they stood at
 * `until`, built in a schema of their own next to the live ones (an auditor
 * can then query "who was admin on the 3rd?"). Every pure projection runs over
 * the events recorded at or before `until`. One transaction: a reader never
 * sees a half-built replay, and running it again starts from empty tables.
 * (Reactors such as notifications are not replayed: they are not pure.)
 */
export async function replay(
  db: Kysely<Database>,
  store: EventStore,
  until: Date,
  schema: string,
): Promise<{ events: number }> {
  if (!SCHEMA.test(schema) || RESERVED.has(schema) || schema.startsWith('pg_'))
    throw new BadReplaySchema(
      `--schema must be a new lower-case name, not public, analytics or pg_*: ${JSON.stringify(schema)}`,
    )
  if (Number.isNaN(until.getTime())) throw new BadReplaySchema('--until must be an ISO-8601 time')
  await migrateReadModel(db, schema)
  let count = 0
  await db.transaction().execute(async (trx) => {
    for (const table of projections.flatMap((p) => p.tables))
      await sql`TRUNCATE ${sql.table(`${schema}.${table}`)}`.execute(trx)
    await useSchema(trx, schema)
    const pure = projections.map(projectionConsumer)
    for await (const events of feedPages(store)) {
      // recorded_at is the writing transaction's start, which is not quite feed order: filter, never stop early
      const due = events.filter((e) => e.recorded_at.getTime() <= until.getTime())
      count += due.length
      if (due.length > 0) await applyTo(trx, pure, due)
    }
  })
  return { events: count }
}
