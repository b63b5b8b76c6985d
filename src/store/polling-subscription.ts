import type { BatchHandler, Position, ReadAllOptions, StoredEvent, Subscription, SubscribeOptions } from './event-store'
import { START } from './event-store'

export interface Wakeable {
  /**
   * registers a wake-up callback, called with the position of the event just
   * committed when it is known (this process' appends); returns the function
   * that removes it
   */
  onWake(fn: (position?: Position) => void): () => void
  /** orders two positions; needed to tell whether a wake-up's event has been read */
  compare(a: Position, b: Position): number
}

/**
 * A catch-up subscription over `readAll`: reads batches in global order, hands
 * each to the handler, and sleeps until a wake-up or the poll interval. A read
 * error (database down) is retried with backoff; a handler error ends it.
 */
export function pollingSubscription(
  readAll: (o: ReadAllOptions) => Promise<StoredEvent[]>,
  wake: Wakeable,
  options: SubscribeOptions,
  handler: BatchHandler,
  onReadError: (err: Error) => void = () => undefined,
): Subscription {
  const limit = options.limit ?? 1000
  const pollMs = options.pollIntervalMs ?? 200
  let position: Position = options.after ?? START
  let stopped = false
  let woken = false
  /** the last event a wake-up announced and the loop has not read yet */
  let awaited: Position | undefined
  let sleeper: (() => void) | undefined
  let hurry: (() => void) | undefined
  /** a reader asked to hurry while no pause was under way: skip the next one */
  let hurried = false

  const unsubscribe = wake.onWake((announced) => {
    woken = true
    if (announced !== undefined && (awaited === undefined || wake.compare(announced, awaited) > 0)) awaited = announced
    sleeper?.()
  })

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        sleeper = undefined
        resolve()
      }
      sleeper = done
    })

  async function loop(): Promise<void> {
    let backoff = 0
    // > 0 while a wake-up's event has not been read: an older transaction (a
    // projector's, another append's) still hides it, and nothing else may wake
    // us once it ends, so look again after 2, 4, 8… ms rather than at pollMs
    let unmetWake = 0
    while (!stopped) {
      woken = false
      let events: StoredEvent[]
      try {
        events = await readAll({ after: position, limit })
        backoff = 0
      } catch (err) {
        onReadError(err as Error)
        backoff = Math.min(backoff ? backoff * 2 : 50, 2000)
        await sleep(backoff)
        continue
      }
      if (stopped) break
      if (events.length > 0) {
        await handler(events)
        position = events[events.length - 1]!.position
        if (events.length === limit) continue
        if (awaited !== undefined && wake.compare(position, awaited) >= 0) awaited = undefined
        unmetWake = awaited === undefined ? 0 : 1
        // not woken early: wake-ups during this pause are exactly what we want to batch;
        // only a reader waiting for what comes next (expedite) cuts it short
        if (options.coalesceMs && !hurried) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, options.coalesceMs)
            hurry = () => {
              clearTimeout(timer)
              resolve()
            }
          })
          hurry = undefined
        }
        hurried = false
      } else if (unmetWake > 0) {
        unmetWake++
      }
      if (woken) {
        if (events.length === 0 && unmetWake === 0) unmetWake = 1
        continue
      }
      if (stopped) break
      const wait = unmetWake > 0 ? 2 ** unmetWake : pollMs
      if (wait >= pollMs) unmetWake = 0
      await sleep(Math.min(wait, pollMs))
    }
  }

  const done = loop().finally(unsubscribe)
  // the caller observes failures through `done`; avoid an unhandled rejection meanwhile
  done.catch(() => undefined)
  return {
    done,
    async stop() {
      stopped = true
      sleeper?.()
      hurry?.()
      await done.catch(() => undefined)
    },
    expedite() {
      if (hurry) hurry()
      else hurried = true
    },
  }
}
