import { type SelectQueryBuilder, sql } from 'kysely'

/** A place in a list ordered by (a time column, id): the last row of the page before. */
export interface Keyset {
  at: Date
  id: string
}

export interface Page<T> {
  items: T[]
  /** where the next page starts; null on the last page */
  next: Keyset | null
}

export interface KeysetOrder<O> {
  /** the time column and the id column, as the query names them */
  columns: [time: string, id: string]
  direction: 'asc' | 'desc'
  /** the keyset of a row the query returns */
  keyOf: (row: O) => Keyset
}

/**
 * Every list of the API pages the same way: ordered by (time, id), each page
 * strictly after the last row of the one before (rows added meanwhile never
 * shift a page, unlike OFFSET). One row more than asked tells whether a next
 * page exists.
 */
export async function keysetPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  order: KeysetOrder<O>,
  after: Keyset | undefined,
  limit: number,
): Promise<{ rows: O[]; next: Keyset | null }> {
  const time = sql.ref(order.columns[0])
  const id = sql.ref(order.columns[1])
  let q = query
    .orderBy(time, order.direction)
    .orderBy(id, order.direction)
    .limit(limit + 1)
  if (after) {
    const op = order.direction === 'asc' ? sql`>` : sql`<`
    q = q.where(sql<boolean>`(${time}, ${id}) ${op} (${after.at}, ${after.id}::uuid)`)
  }
  const rows = await q.execute()
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return { rows: page, next: rows.length > limit && last ? order.keyOf(last) : null }
}
