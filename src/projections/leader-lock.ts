import pg from 'pg'

/**
 * "At most one active runner per consumer" across processes: a session-level
 * advisory lock per consumer, held on one dedicated connection per process.
 * If that connection dies the locks go with it and every runner steps down.
 * Correctness does not rest on the lock (the checkpoint compare-and-set does);
 * the lock keeps the standbys from doing the same work twice.
 */
export interface LeaderLocks {
  tryAcquire(name: string): Promise<boolean>
  release(name: string): Promise<void>
  /** called when held locks may have been lost */
  onLost(fn: () => void): void
  close(): Promise<void>
}

/** Embedded mode: one process, so every consumer leads. */
export class LocalLeaderLocks implements LeaderLocks {
  async tryAcquire(): Promise<boolean> {
    return true
  }
  async release(): Promise<void> {}
  onLost(): void {}
  async close(): Promise<void> {}
}

export class PgLeaderLocks implements LeaderLocks {
  private client: pg.Client | undefined
  private connecting: Promise<pg.Client> | undefined
  private readonly held = new Set<string>()
  private readonly lostHandlers: (() => void)[] = []
  private closed = false
  // one query at a time on the shared connection (pg deprecates overlapping ones)
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly connectionString: string) {}

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn)
    this.queue = next.catch(() => undefined)
    return next
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: 'dscp-leader' })
      const lost = () => {
        if (this.client !== client) return
        this.client = undefined
        this.held.clear()
        client.end().catch(() => undefined)
        if (!this.closed) for (const fn of this.lostHandlers) fn()
      }
      client.on('error', lost)
      client.on('end', lost)
      await client.connect()
      this.client = client
      return client
    })().finally(() => {
      this.connecting = undefined
    })
    return this.connecting
  }

  tryAcquire(name: string): Promise<boolean> {
    return this.serial(async () => {
      if (this.closed) return false
      if (this.held.has(name)) return true
      const client = await this.connection()
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
        `consumer:${name}`,
      ])
      if (rows[0]?.ok) this.held.add(name)
      return rows[0]?.ok === true
    })
  }

  release(name: string): Promise<void> {
    return this.serial(async () => {
      if (!this.held.delete(name) || !this.client) return
      await this.client.query('SELECT pg_advisory_unlock(hashtext($1))', [`consumer:${name}`]).catch(() => undefined)
    })
  }

  onLost(fn: () => void): void {
    this.lostHandlers.push(fn)
  }

  async close(): Promise<void> {
    this.closed = true
    const client = this.client
    this.client = undefined
    this.held.clear()
    await client?.end().catch(() => undefined)
  }
}
