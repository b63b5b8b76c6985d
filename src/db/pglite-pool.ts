import type { PGlite } from '@electric-sql/pglite'
import type { Notifier, QueryConfig, QueryResult, SqlClient, SqlPool } from './sql-pool'

/**
 * PGlite is one in-process connection. This pool hands it out to one holder
 * at a time, so transactions started through `connect()` never interleave.
 */
export class PgLitePool implements SqlPool {
  private tail: Promise<void> = Promise.resolve()
  private ended = false

  constructor(readonly db: PGlite) {}

  private async acquire(): Promise<() => void> {
    if (this.ended) throw new Error('pool has ended')
    let release!: () => void
    const next = new Promise<void>((r) => (release = r))
    const previous = this.tail
    this.tail = previous.then(() => next)
    await previous
    return release
  }

  private async run<R>(query: string | QueryConfig, values?: readonly unknown[]): Promise<QueryResult<R>> {
    const text = typeof query === 'string' ? query : query.text
    const params = typeof query === 'string' ? values : (query.values ?? values)
    const res = await this.db.query<R>(text, params as unknown[] | undefined)
    const r = res as unknown as { command?: string; rowCount?: number; affectedRows?: number }
    return { command: r.command ?? '', rowCount: r.rowCount ?? r.affectedRows ?? res.rows.length, rows: res.rows }
  }

  async connect(): Promise<SqlClient> {
    const release = await this.acquire()
    let released = false
    return {
      query: (q, v) => this.run(q, v),
      release: () => {
        if (!released) {
          released = true
          release()
        }
      },
    }
  }

  async query<R>(query: string | QueryConfig, values?: readonly unknown[]): Promise<QueryResult<R>> {
    const release = await this.acquire()
    try {
      return await this.run<R>(query, values)
    } finally {
      release()
    }
  }

  async end(): Promise<void> {
    if (this.ended) return
    // wait for the current holder, then close
    const release = await this.acquire()
    this.ended = true
    release()
    await this.db.close()
  }
}

/** In one process, a notification is a function call. */
export class InProcessNotifier implements Notifier {
  private readonly listeners = new Map<string, Set<(payload: string) => void>>()

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel)
    if (!set) this.listeners.set(channel, (set = new Set()))
    set.add(onNotify)
    return async () => {
      set.delete(onNotify)
    }
  }

  async notify(channel: string, payload = ''): Promise<void> {
    for (const fn of this.listeners.get(channel) ?? []) fn(payload)
  }
}
