import type { Redis } from 'ioredis'
import { Lru } from './lru'

/**
 * The last position each signed-in session wrote, so that a later read by the
 * same session can wait for it (read-your-writes). A position only moves
 * forward. `lastWrite` answers from memory: a session with nothing pending
 * costs a read no round trip.
 */
export interface SessionPositions {
  wrote(session: string, position: string): Promise<void>
  lastWrite(session: string): Promise<string | undefined>
  close(): Promise<void>
}

/** sessions remembered per process (least recently used leave first) */
const SESSIONS_KEPT = 100_000

/**
 * Positions of both event store adapters end in two decimal integers
 * (`tx:n`, `esdb:commit:prepare`), compared as numbers; anything else is
 * simply replaced.
 */
function later(a: string, b: string): boolean {
  const pa = /(\d+):(\d+)$/.exec(a)
  const pb = /(\d+):(\d+)$/.exec(b)
  if (!pa || !pb) return true
  const [a1, a2, b1, b2] = [BigInt(pa[1]!), BigInt(pa[2]!), BigInt(pb[1]!), BigInt(pb[2]!)]
  return a1 !== b1 ? a1 > b1 : a2 > b2
}

/** One process: the positions live in its memory. */
export class MemorySessionPositions implements SessionPositions {
  protected readonly known = new Lru<string, string>(SESSIONS_KEPT)

  async wrote(session: string, position: string): Promise<void> {
    this.remember(session, position)
  }

  protected remember(session: string, position: string): void {
    const before = this.known.get(session)
    if (before === undefined || later(position, before)) this.known.set(session, position)
  }

  async lastWrite(session: string): Promise<string | undefined> {
    return this.known.get(session)
  }

  async close(): Promise<void> {}
}

// set the key to the later of the two positions, and tell every process
const WROTE = `
local function later(a, b)
  local a1, a2 = string.match(a, '(%d+):(%d+)$')
  local b1, b2 = string.match(b, '(%d+):(%d+)$')
  if not a1 or not b1 then return true end
  if a1 ~= b1 then
    if #a1 ~= #b1 then return #a1 > #b1 end
    return a1 > b1
  end
  if #a2 ~= #b2 then return #a2 > #b2 end
  return a2 > b2
end
local current = redis.call('GET', KEYS[1])
if current and not later(ARGV[1], current) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4] .. ' ' .. ARGV[1])
return 1`

export interface RedisSessionPositionsOptions {
  prefix: string
  /** how long a session's last write is kept. @defaultValue 600000 (10 min) */
  ttlMs?: number
  /**
   * after subscribing (or resubscribing), how long a session this process has
   * not heard of is looked up in Redis rather than taken to have written
   * nothing: it may have written before this process listened. @defaultValue 10000
   */
  coldMs?: number
  onError?: (err: Error) => void
}

/**
 * Every API process: the positions live in Redis, and each write is
 * published, so every process keeps a copy in memory and answers from it.
 * A write is recorded (and published) before its response is sent, and the
 * copy is complete once the subscription has run for `coldMs`.
 */
export class RedisSessionPositions extends MemorySessionPositions {
  private readonly subscriber: Redis
  private readonly channel: string
  private coldUntil = 0
  /** sessions looked up in Redis since the cold time began */
  private readonly checked = new Lru<string, true>(SESSIONS_KEPT)

  private constructor(
    private readonly redis: Redis,
    private readonly opts: RedisSessionPositionsOptions,
  ) {
    super()
    this.channel = `${opts.prefix}:session-writes`
    // queued until connected, never given up (unlike the request path's commands): Redis down must not stop
    // this process starting, and the subscription must be made once Redis is there
    this.subscriber = redis.duplicate({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      commandTimeout: undefined,
    })
    this.subscriber.on('error', (err: Error) => opts.onError?.(err))
    this.subscriber.on('message', (_channel: string, message: string) => {
      const space = message.indexOf(' ')
      if (space > 0) this.remember(message.slice(0, space), message.slice(space + 1))
    })
    // after a reconnection messages may have been missed: look sessions up again for a while
    this.subscriber.on('ready', () => this.warm())
  }

  static start(redis: Redis, opts: RedisSessionPositionsOptions): RedisSessionPositions {
    const positions = new RedisSessionPositions(redis, opts)
    positions.subscriber.subscribe(positions.channel).catch((err: Error) => opts.onError?.(err))
    positions.warm()
    return positions
  }

  private warm(): void {
    this.coldUntil = Date.now() + (this.opts.coldMs ?? 10_000)
    this.checked.clear()
  }

  private key(session: string): string {
    return `${this.opts.prefix}:session-write:${session}`
  }

  override async wrote(session: string, position: string): Promise<void> {
    this.remember(session, position)
    const ttl = String(this.opts.ttlMs ?? 600_000)
    // the write itself has happened: without Redis only this process will wait for it
    await this.redis
      .eval(WROTE, 1, this.key(session), position, ttl, this.channel, session)
      .catch((err: Error) => this.opts.onError?.(err))
  }

  override async lastWrite(session: string): Promise<string | undefined> {
    if (Date.now() < this.coldUntil && !this.checked.get(session)) {
      // what this process knows may miss a write published before it listened
      const stored = await this.redis.get(this.key(session)).catch((err: Error) => {
        this.opts.onError?.(err)
        return null
      })
      this.checked.set(session, true)
      if (stored !== null) this.remember(session, stored)
    }
    return this.known.get(session)
  }

  override async close(): Promise<void> {
    this.subscriber.disconnect()
  }
}
