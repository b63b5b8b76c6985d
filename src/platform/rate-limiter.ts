import type { Redis } from 'ioredis'

/**
 * Fixed-window counters: on Redis when there is one (shared by every API
 * process), in memory in embedded mode. `hit` counts one request and says
 * whether it is within the limit and, if not, when to retry.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<{ allowed: boolean; retryAfterSeconds: number }>
}

// INCR, and start the window on the first hit; answer the count and the time left
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(key: string, limit: number, windowSeconds: number) {
    const [count, ttl] = (await this.redis.eval(
      SCRIPT,
      1,
      `${this.prefix}:rl:${key}`,
      String(windowSeconds * 1000),
    )) as [number, number]
    return { allowed: count <= limit, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) }
  }
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, limit: number, windowSeconds: number) {
    const now = this.now()
    let w = this.windows.get(key)
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowSeconds * 1000 }
      this.windows.set(key, w)
      if (this.windows.size > 100_000) this.sweep(now)
    }
    w.count++
    return { allowed: w.count <= limit, retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) }
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k)
  }
}

export const noRateLimit: RateLimiter = { hit: async () => ({ allowed: true, retryAfterSeconds: 0 }) }

/**
 * Redis's shared windows while it answers; this process's own windows while
 * it does not. A limit then counts per process (a client spread over N API
 * processes gets up to N times the limit) for as long as the outage lasts:
 * better than refusing every login, signup and mark with a 500.
 */
export class FallbackRateLimiter implements RateLimiter {
  constructor(
    private readonly primary: RateLimiter,
    private readonly fallback: RateLimiter,
    private readonly onFallback: (err: Error) => void,
  ) {}

  async hit(key: string, limit: number, windowSeconds: number) {
    try {
      return await this.primary.hit(key, limit, windowSeconds)
    } catch (err) {
      this.onFallback(err as Error)
      return this.fallback.hit(key, limit, windowSeconds)
    }
  }
}
