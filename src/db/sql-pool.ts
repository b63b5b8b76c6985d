/**
 * The slice of node-postgres' Pool that the event store and kysely use, so the
 * same SQL runs on PostgreSQL (pg.Pool) and on embedded PGlite (pglite-pool.ts).
 */
export interface QueryConfig {
  /** a prepared-statement name; PostgreSQL parses the text once per connection */
  name?: string
  text: string
  values?: readonly unknown[]
}

export interface QueryResult<R> {
  command: string
  rowCount: number | null
  rows: R[]
}

export interface SqlClient {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<R = any>(query: string | QueryConfig, values?: readonly unknown[]): Promise<QueryResult<R>>
  release(err?: Error | boolean): void
}

export interface SqlPool {
  connect(): Promise<SqlClient>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<R = any>(query: string | QueryConfig, values?: readonly unknown[]): Promise<QueryResult<R>>
  end(): Promise<void>
}

/** Wake-ups between processes (LISTEN/NOTIFY on PostgreSQL, in-process on PGlite). */
export interface Notifier {
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>
  notify(channel: string, payload?: string): Promise<void>
}

/** Runs `fn` in one transaction on one connection; rolls back on throw. */
export async function withTransaction<T>(pool: SqlPool, fn: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let failed: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    failed = err as Error
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    // a broken connection goes back destroyed, not reused
    client.release(failed !== undefined && isConnectionError(failed) ? failed : undefined)
  }
}

export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '08006' ||
    code === '08003' ||
    code === '08000' ||
    /Connection terminated|Client has encountered a connection error/i.test(String((err as Error)?.message))
  )
}
