import pg from 'pg'
import type { Notifier, SqlPool } from './sql-pool'

/**
 * LISTEN on one dedicated connection per process. When that connection drops,
 * it reconnects with backoff and tells every listener once (payload 'reconnect'),
 * because notifications sent meanwhile are lost and readers must re-poll.
 */
export class PgNotifier implements Notifier {
  private client: pg.Client | undefined
  private connecting: Promise<pg.Client> | undefined
  private readonly listeners = new Map<string, Set<(payload: string) => void>>()
  private closed = false
  private retryTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly connectionString: string,
    private readonly pool: SqlPool,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client
    if (!this.connecting) {
      this.connecting = (async () => {
        const client = new pg.Client({ connectionString: this.connectionString, application_name: 'dscp-listen' })
        client.on('error', (err) => this.lost(client, err))
        client.on('end', () => this.lost(client, new Error('listen connection ended')))
        client.on('notification', (msg) => {
          for (const fn of this.listeners.get(msg.channel) ?? []) fn(msg.payload ?? '')
        })
        await client.connect()
        for (const channel of this.listeners.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
        this.client = client
        return client
      })().finally(() => {
        this.connecting = undefined
      })
    }
    return this.connecting
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client) return
    this.client = undefined
    client.removeAllListeners('notification')
    client.end().catch(() => undefined)
    if (this.closed) return
    this.onError(err)
    this.scheduleReconnect(250)
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.closed || this.retryTimer) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.connection()
        .then(() => {
          for (const set of this.listeners.values()) for (const fn of set) fn('reconnect')
        })
        .catch(() => this.scheduleReconnect(Math.min(delayMs * 2, 5000)))
    }, delayMs)
    this.retryTimer.unref()
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel)
    const first = !set
    if (!set) this.listeners.set(channel, (set = new Set()))
    set.add(onNotify)
    try {
      const client = await this.connection()
      if (first) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
    } catch (err) {
      // the subscriber still polls; keep trying to get the wake-ups back
      this.onError(err as Error)
      this.scheduleReconnect(250)
    }
    return async () => {
      set.delete(onNotify)
    }
  }

  async notify(channel: string, payload = ''): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload])
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    const client = this.client ?? (await this.connecting?.catch(() => undefined))
    this.client = undefined
    await client?.end().catch(() => undefined)
  }
}
