import { Redis } from 'ioredis'

/**
 * The Redis client of the request path (rate limits, stream tickets,
 * read-your-writes positions). A command answers within `timeoutMs` or fails,
 * and fails at once while the connection is down: ioredis's defaults queue a
 * command through reconnections, which cost a login 2.4–3.9 s and then a 500
 * when Redis was stopped. What asks it must have something to fall back on.
 */
export async function connectRequestRedis(
  url: string,
  timeoutMs: number,
  onError: (err: Error) => void,
): Promise<Redis> {
  const redis = new Redis(url, { enableOfflineQueue: false, commandTimeout: timeoutMs, maxRetriesPerRequest: 0 })
  redis.on('error', onError)
  // the first requests should find it connected; but a process may start while Redis is down, and then serves degraded
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000)
    redis.once('ready', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  return redis
}

/** A client that waits for Redis rather than failing: the job queue, whose reactor simply retries later. */
export function patientRedis(url: string, onError: (err: Error) => void): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 })
  redis.on('error', onError)
  return redis
}
