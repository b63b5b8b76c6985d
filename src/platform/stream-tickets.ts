import { createHash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'

/**
 * Stream tickets: EventSource cannot send an Authorization header, and an
 * access token in a URL ends up in proxy and server logs. So a signed-in
 * member trades their token for a ticket that opens one stream, once, within
 * a few seconds. Only the ticket's SHA-256 is kept, so a dump of Redis
 * opens nothing.
 */
export interface StreamTickets {
  issue(userId: string): Promise<{ ticket: string; expires_at: Date }>
  /** the user the ticket was issued to, or null when unknown, used or expired; works once */
  redeem(ticket: string): Promise<string | null>
}

export const TICKET_PATTERN = '^[A-Za-z0-9_-]{43}$'

const newTicket = () => randomBytes(32).toString('base64url')
const digest = (ticket: string) => createHash('sha256').update(ticket).digest('base64url')

export const ticketKey = (prefix: string, ticket: string) => `${prefix}:sse-ticket:${digest(ticket)}`

/** Shared by every API process: a ticket issued by one opens a stream on another. */
export class RedisStreamTickets implements StreamTickets {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  async issue(userId: string): Promise<{ ticket: string; expires_at: Date }> {
    const ticket = newTicket()
    // NX: 256 random bits never collide, but if they did a ticket must not change hands
    const ok = await this.redis.set(ticketKey(this.prefix, ticket), userId, 'EX', this.ttlSeconds, 'NX')
    if (ok !== 'OK') throw new Error('stream ticket collision')
    return { ticket, expires_at: new Date(Date.now() + this.ttlSeconds * 1000) }
  }

  async redeem(ticket: string): Promise<string | null> {
    // GETDEL is atomic: two connections racing with one ticket, one wins
    return this.redis.getdel(ticketKey(this.prefix, ticket))
  }
}

/** One process without Redis. */
export class MemoryStreamTickets implements StreamTickets {
  private readonly tickets = new Map<string, { userId: string; expiresAt: number }>()

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => Date,
  ) {}

  async issue(userId: string): Promise<{ ticket: string; expires_at: Date }> {
    const at = this.now().getTime()
    // forget expired tickets now and then, so unused ones do not pile up
    if (this.tickets.size > 1000) for (const [k, v] of this.tickets) if (v.expiresAt <= at) this.tickets.delete(k)
    const ticket = newTicket()
    const expiresAt = at + this.ttlSeconds * 1000
    this.tickets.set(digest(ticket), { userId, expiresAt })
    return { ticket, expires_at: new Date(expiresAt) }
  }

  async redeem(ticket: string): Promise<string | null> {
    const key = digest(ticket)
    const found = this.tickets.get(key)
    this.tickets.delete(key)
    return found && found.expiresAt > this.now().getTime() ? found.userId : null
  }
}
