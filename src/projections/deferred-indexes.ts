import { type Kysely, type Transaction, sql } from 'kysely'
import type { Database } from '../db/database'

/**
 * A build from position 0 without the secondary indexes, made once at the
 * end. A campus's audit log is 1,200,000 rows in five secondary indexes:
 * PostgreSQL alone spent 33.8 s inserting them with the indexes in place,
 * 9.6 s without and 7.1 s making the five afterwards (docs/scaling.md).
 *
 * Only for a consumer that says it can (Consumer.deferIndexes): one that
 * reads none of its tables and writes by unique keys, which stay. Its tables
 * are being built from empty meanwhile, so no reader loses more than an index
 * on rows that were not there yet.
 */

/** the non-unique indexes of `tables`: what a build can do without */
async function secondaryIndexes(
  trx: Transaction<Database>,
  tables: readonly string[],
): Promise<{ schema: string; name: string; definition: string }[]> {
  const { rows } = await sql<{ schema: string; name: string; definition: string }>`
    SELECT n.nspname AS schema, c.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
      FROM pg_index x
      JOIN pg_class c ON c.oid = x.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE x.indrelid IN (SELECT to_regclass(t) FROM unnest(${tables}::text[]) AS t)
       AND NOT x.indisunique AND NOT x.indisprimary
     ORDER BY c.relname`.execute(trx)
  return rows
}

/**
 * Drops the secondary indexes of `tables` in `trx` (the transaction of the
 * build's first batch) and adds their definitions to `consumer`'s checkpoint
 * row, to whatever an earlier build left there.
 */
export async function deferIndexes(
  trx: Transaction<Database>,
  consumer: string,
  tables: readonly string[],
): Promise<void> {
  const indexes = await secondaryIndexes(trx, tables)
  if (indexes.length === 0) return
  for (const i of indexes) await sql`DROP INDEX ${sql.id(i.schema, i.name)}`.execute(trx)
  await sql`UPDATE projection_checkpoints
               SET deferred_indexes = coalesce(deferred_indexes, '[]'::jsonb) || ${JSON.stringify(indexes.map((i) => i.definition))}::jsonb
             WHERE name = ${consumer}`.execute(trx)
}

/** Whether `consumer`'s tables still lack indexes a build deferred. */
export async function hasDeferredIndexes(db: Kysely<Database>, consumer: string): Promise<boolean> {
  const row = await db
    .selectFrom('projection_checkpoints')
    .select('deferred_indexes')
    .where('name', '=', consumer)
    .executeTakeFirst()
  return (row?.deferred_indexes?.length ?? 0) > 0
}

/**
 * Makes the indexes a build of `consumer` deferred, and clears the list, in
 * one transaction: a crash leaves both as they were. The tables take writes
 * again once it commits (CREATE INDEX lets readers in, not writers).
 */
export async function restoreIndexes(db: Kysely<Database>, consumer: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('projection_checkpoints')
      .select('deferred_indexes')
      .where('name', '=', consumer)
      .forUpdate()
      .executeTakeFirst()
    // as pg_get_indexdef wrote them; one made meanwhile (by hand, say) is left as it is
    for (const d of row?.deferred_indexes ?? [])
      await sql.raw(d.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS ')).execute(trx)
    await trx
      .updateTable('projection_checkpoints')
      .set({ deferred_indexes: null })
      .where('name', '=', consumer)
      .execute()
  })
}
