import type { AccessDenied, AccessDeniedRepeated } from '../../domain/audit/events'
import { securityStream } from '../../domain/audit/events'
import type { CommandContext, CommandDeps } from '../context'
import { record } from '../handle'

type Denial = Omit<AccessDenied['data'], 'denied_at'>

/** The refusals of one source on one route in one window, after the first. */
interface Tally {
  denial: Denial
  /** the latest refusal's context: where it came from, as the summary records it */
  ctx: CommandContext
  windowStart: number
  count: number
  throttled: number
  first: number
  last: number
}

export interface AccessDeniedOptions {
  /** the window repeated refusals are summed up in */
  windowSeconds: number
  /** tallies held at once; past it they are all written out early. @defaultValue 10000 */
  maxTallies?: number
  onError?: (err: Error) => void
}

/** who was refused: the caller when there is one, else the address the request came from */
const sourceOf = (ctx: CommandContext) => (ctx.actor_id ? `user:${ctx.actor_id}` : `ip:${ctx.ip ?? ''}`)

/**
 * Records the requests their route's access rule refused, for the audit log,
 * without letting a flood of them become a flood of writes. The first refusal
 * of a source on a route within a window (aligned to the clock) is appended
 * at once as an AccessDenied, as before; the ones after it are only counted,
 * in memory, and appended as one AccessDeniedRepeated when the window is over
 * (or the process stops). So a client refused N times appends at most two
 * events a window per route, whatever N, and every refusal is still in the
 * log. A crash loses at most the counts of the current window.
 */
export class AccessDeniedRecorder {
  private readonly tallies = new Map<string, Tally>()
  private readonly writing = new Set<Promise<void>>()
  private readonly windowMs: number
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly deps: CommandDeps,
    private readonly opts: AccessDeniedOptions,
  ) {
    this.windowMs = opts.windowSeconds * 1000
  }

  /** One refusal; `throttled`: answered 429 by the per-address limit, so it is only counted, never stored alone. */
  async refused(denial: Denial, ctx: CommandContext, throttled = false): Promise<void> {
    const now = this.deps.sources.now()
    const at = now.getTime()
    const windowStart = at - (at % this.windowMs)
    const key = `${sourceOf(ctx)} ${denial.method} ${denial.route} ${denial.required} ${denial.reason}`
    let tally = this.tallies.get(key)
    let previous: Promise<void> | undefined
    if (tally && tally.windowStart !== windowStart) {
      this.tallies.delete(key)
      previous = this.writeLater(tally)
      tally = undefined
    }
    if (!tally) {
      if (this.tallies.size >= (this.opts.maxTallies ?? 10_000)) this.flush(true)
      // set before anything awaits: a concurrent refusal of the same key is counted, not recorded again
      this.tallies.set(key, { denial, ctx, windowStart, count: 0, throttled: 0, first: at, last: at })
      this.timer ??= setInterval(() => this.flush(false), Math.min(5000, Math.max(100, this.windowMs / 2))).unref()
      if (!throttled) {
        const first: AccessDenied = { type: 'AccessDenied', data: { ...denial, denied_at: now.toISOString() } }
        await previous // the last window's tally comes first in the log
        return record(this.deps, securityStream(now), first, ctx)
      }
      tally = this.tallies.get(key)!
    }
    if (tally.count === 0) tally.first = at
    tally.count++
    if (throttled) tally.throttled++
    tally.last = at
    tally.ctx = ctx
  }

  /** Writes out the tallies whose window is over (all of them with `all`). */
  private flush(all: boolean): void {
    const now = this.deps.sources.now().getTime()
    for (const [key, tally] of this.tallies) {
      if (!all && tally.windowStart + this.windowMs > now) continue
      this.tallies.delete(key)
      this.writeLater(tally)
    }
  }

  private writeLater(tally: Tally): Promise<void> | undefined {
    if (tally.count === 0) return undefined
    const iso = (ms: number) => new Date(ms).toISOString()
    const event: AccessDeniedRepeated = {
      type: 'AccessDeniedRepeated',
      data: {
        ...tally.denial,
        count: tally.count,
        throttled: tally.throttled,
        first_denied_at: iso(tally.first),
        last_denied_at: iso(tally.last),
        window_start: iso(tally.windowStart),
        window_end: iso(tally.windowStart + this.windowMs),
      },
    }
    // many requests, none of them the cause: the summary names no request
    const ctx = { ...tally.ctx, request_id: null, correlation_id: null }
    const pending = record(this.deps, securityStream(new Date(tally.windowStart)), event, ctx)
      .catch((err: Error) => this.opts.onError?.(err))
      .finally(() => this.writing.delete(pending))
    this.writing.add(pending)
    return pending
  }

  /** Writes out every tally, the current windows' too, and waits for the writes. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.flush(true)
    await Promise.all(this.writing)
  }
}
