import type { Kysely } from 'kysely'
import type { Database } from '../../db/database'
import type { ExpectedRow } from '../../domain/legacy/plan-types'
import type { LegacyTable } from '../../domain/legacy/snapshot'

/** The read models the import fills; each is named as the consumer that builds it (what a wait for them names). */
export const IMPORTED_READ_MODELS: readonly ExpectedRow['model'][] = [
  'users',
  'approval_requests',
  'club_events',
  'qr_sessions',
  'attendance_records',
  'notifications',
  'resources',
  'audit_log',
]

export interface VerifiedCount {
  table: LegacyTable
  model: ExpectedRow['model']
  expected: number
  found: number
}

const CHUNK = 1000

async function countPresent(db: Kysely<Database>, model: ExpectedRow['model'], ids: string[]): Promise<number> {
  let found = 0
  for (let i = 0; i < ids.length; i += CHUNK) {
    const row = await db
      .selectFrom(model)
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .executeTakeFirstOrThrow()
    found += Number(row.n)
  }
  return found
}

/**
 * For each legacy table and the read model its rows became: how many rows the
 * plan says must be there, and how many are. Counted by id, so a row of the
 * same kind that came from elsewhere (a signup since) never hides a missing one.
 */
export async function verifyImport(db: Kysely<Database>, expected: ExpectedRow[]): Promise<VerifiedCount[]> {
  const groups = new Map<string, { table: LegacyTable; model: ExpectedRow['model']; ids: string[] }>()
  for (const e of expected) {
    const key = `${e.table}|${e.model}`
    const g = groups.get(key) ?? { table: e.table, model: e.model, ids: [] }
    g.ids.push(e.id)
    groups.set(key, g)
  }
  const out: VerifiedCount[] = []
  for (const g of groups.values()) {
    const ids = [...new Set(g.ids)]
    out.push({ table: g.table, model: g.model, expected: ids.length, found: await countPresent(db, g.model, ids) })
  }
  return out
}
