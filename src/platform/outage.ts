import type { Logger } from './logger'
import type { Metrics } from './metrics'

/** What a request wanted Redis for (the `use` label of redis_unavailable_total). */
export type RedisUse = 'rate_limit' | 'session_positions' | 'stream_tickets'
/** `fallback`: served from this process's memory instead; `refused`: answered 503 */
export type RedisOutcome = 'fallback' | 'refused'

/**
 * A Redis outage, as one process lives through it: every request that found
 * Redis gone is counted (redis_unavailable_total{use,outcome}), and logged
 * once per use and `quietMs`, not once per request, so that an outage under
 * load does not flood the log.
 */
export class RedisOutage {
  private readonly lastLogged = new Map<RedisUse, number>()

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly quietMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  met(use: RedisUse, outcome: RedisOutcome, err: Error): void {
    this.metrics.redisUnavailable.inc({ use, outcome })
    const at = this.now()
    if (at - (this.lastLogged.get(use) ?? -Infinity) < this.quietMs) return
    this.lastLogged.set(use, at)
    this.logger.warn({ err: err.message, use, outcome }, 'redis unavailable')
  }
}

/** Thrown where nothing can stand in for Redis (a stream ticket must be seen by every API process): a 503. */
export class RedisUnavailable extends Error {
  override readonly name = 'RedisUnavailable'
}
