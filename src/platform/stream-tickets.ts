import { createHash, randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { RedisUnavailable } from './outage'

/**
 * Stream tickets: EventSource cannot send an Authorization header, and an
 * access token in a URL ends up in proxy and server logs. So a signed-in
 * member trades their token for a ticket that opens one stream, once, within
 * a few seconds. Only the ticket's SHA-256 is kept, so a dump of Redis
 * opens nothing. A member holds at most `maxPerUser` unused tickets at once:
 * each is a key, and asking is cheap.
 */
export interface StreamTickets {
  /** a fresh ticket, or how long until one of the member's unused tickets expires when they hold the most allowed */
  issue(userId: string): Promise<Issued | Refused>
  /** the user the ticket was issued to, or null when unknown, used or expired; works once */
  redeem(ticket: string): Promise<string | null>
}

interface Issued {
  ticket: string
  expires_at: Date
}
interface Refused {
  retryAfterSeconds: number
}

export const TICKET_PATTERN = '^[A-Za-z0-9_-]{43}$'

const newTicket = () => randomBytes(32).toString('base64url')
const digest = (ticket: string) => createHash('sha256').update(ticket).digest('base64url')
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

export const ticketKey = (prefix: string, ticket: string) => `${prefix}:sse-ticket:${digest(ticket)}`
const userKey = (prefix: string, userId: string) => `${prefix}:sse-tickets-of:${userId}`

// one step each, so concurrent requests through any number of processes never
// issue more than the cap: forget expired entries, count, refuse or store.
// The user's set holds ticket digests scored by expiry (Redis' own clock).
const ISSUE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) - now}
end
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {-1, 0} end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {1, 0}`

// GETDEL is atomic: two connections racing with one ticket, one wins; the
// winner's ticket leaves its owner's count (the owner's key is named by the value)
const REDEEM = `
local user = redis.call('GETDEL', KEYS[1])
if user then redis.call('ZREM', ARGV[1] .. ':sse-tickets-of:' .. user, ARGV[2]) end
return user`

/**
 * Shared by every API process: a ticket issued by one opens a stream on
 * another. Without Redis nothing can stand in (a ticket kept in one process's
 * memory would fail on the next), so a Redis error is a RedisUnavailable: a
 * 503 the client retries, while the rest of the service goes on.
 */
export class RedisStreamTickets implements StreamTickets {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
    private readonly maxPerUser: number,
    private readonly onUnavailable: (err: Error) => void = () => undefined,
  ) {}

  private async eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis.eval(script, keys.length, ...keys, ...args)
    } catch (err) {
      this.onUnavailable(err as Error)
      throw new RedisUnavailable('stream tickets need Redis', { cause: err })
    }
  }

  async issue(userId: string): Promise<Issued | Refused> {
    const ticket = newTicket()
    const ttlMs = this.ttlSeconds * 1000
    const [outcome, waitMs] = (await this.eval(
      ISSUE,
      [ticketKey(this.prefix, ticket), userKey(this.prefix, userId)],
      [userId, String(ttlMs), String(this.maxPerUser), digest(ticket)],
    )) as [number, number]
    if (outcome === 0) return { retryAfterSeconds: seconds(waitMs) }
    // 256 random bits never collide, but if they did a ticket must not change hands
    if (outcome !== 1) throw new Error('stream ticket collision')
    return { ticket, expires_at: new Date(Date.now() + ttlMs) }
  }

  async redeem(ticket: string): Promise<string | null> {
    return (await this.eval(REDEEM, [ticketKey(this.prefix, ticket)], [this.prefix, digest(ticket)])) as string | null
  }
}

/** One process without Redis. */
export class MemoryStreamTickets implements StreamTickets {
  private readonly tickets = new Map<string, { userId: string; expiresAt: number }>()
  /** each user's unused tickets: digest → expiry */
  private readonly byUser = new Map<string, Map<string, number>>()

  constructor(
    private readonly ttlSeconds: number,
    private readonly maxPerUser: number,
    private readonly now: () => Date,
  ) {}

  async issue(userId: string): Promise<Issued | Refused> {
    const at = this.now().getTime()
    // forget expired tickets now and then, so unused ones do not pile up
    if (this.tickets.size > 1000) for (const [k, v] of this.tickets) if (v.expiresAt <= at) this.forget(k)
    const held = this.byUser.get(userId) ?? new Map<string, number>()
    for (const [k, expiresAt] of held) if (expiresAt <= at) this.forget(k)
    if (held.size >= this.maxPerUser) return { retryAfterSeconds: seconds(Math.min(...held.values()) - at) }
    const ticket = newTicket()
    const expiresAt = at + this.ttlSeconds * 1000
    this.tickets.set(digest(ticket), { userId, expiresAt })
    this.byUser.set(userId, held.set(digest(ticket), expiresAt))
    return { ticket, expires_at: new Date(expiresAt) }
  }

  async redeem(ticket: string): Promise<string | null> {
    const key = digest(ticket)
    const found = this.tickets.get(key)
    this.forget(key)
    return found && found.expiresAt > this.now().getTime() ? found.userId : null
  }

  private forget(key: string): void {
    const found = this.tickets.get(key)
    if (!found) return
    this.tickets.delete(key)
    const held = this.byUser.get(found.userId)
    held?.delete(key)
    if (held?.size === 0) this.byUser.delete(found.userId)
  }
}
