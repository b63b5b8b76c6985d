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
