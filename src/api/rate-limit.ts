import type { RateLimiter } from '../platform/rate-limiter'
import { errors } from './errors'

/** Counts one request against `key`; over `max` in the window it is a 429 with Retry-After. */
export async function enforceLimit(
  limiter: RateLimiter,
  key: string,
  max: number,
  windowSeconds: number,
): Promise<void> {
  const r = await limiter.hit(key, max, windowSeconds)
  if (!r.allowed) throw errors.rateLimited(undefined, { 'retry-after': String(r.retryAfterSeconds) })
}
