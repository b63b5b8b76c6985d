import type { Readable } from 'node:stream'
import type { AllStreamResolvedEvent, Position as EsdbPosition } from '@eventstore/db-client'
import type { BatchHandler, Subscription } from '../event-store'
import { BatchReader } from './batch-reader'
import { feedPage } from './feed'

/** What the adapter opens: a server-side catch-up subscription to $all after `from`. */
export type OpenSubscription = (
  from: EsdbPosition | undefined,
  highWaterMark: number,
) => Readable & { unsubscribe(): Promise<void> }

export interface CatchUpOptions {
  /** exclusive; undefined for the beginning of $all */
  from: EsdbPosition | undefined
  /** most events per handler call */
  limit: number
  /** a dropped subscription (server restart, network) before it is reopened */
  onError?: (err: Error) => void
  /** first wait before reopening; doubles up to 2 s. @defaultValue 50 */
  retryMs?: number
}

class HandlerFailed extends Error {
  constructor(readonly error: unknown) {
    super('subscription handler failed')
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}

/**
 * The port's subscription over ESDB's push subscription: events that arrive
 * together go to the handler as one batch (up to `limit`), the position moves
 * only once the handler has resolved, and a dropped subscription is reopened
 * after the last handled position, so nothing is skipped and, because events
 * at or before that position are dropped, nothing is handed over twice.
 * A handler error ends it, as in the polling subscription.
 */
export function catchUpSubscription(
  open: OpenSubscription,
  options: CatchUpOptions,
  handler: BatchHandler,
): Subscription {
  const stopping = new AbortController()
  const firstRetry = options.retryMs ?? 50
  let last = options.from

  async function deliver(raw: AllStreamResolvedEvent[]): Promise<void> {
    const page = feedPage(raw, last)
    if (page.events.length > 0) {
      try {
        await handler(page.events)
      } catch (err) {
        throw new HandlerFailed(err)
      }
    }
    if (page.last) last = page.last
  }

  async function loop(): Promise<void> {
    let backoff = 0
    while (!stopping.signal.aborted) {
      let source: ReturnType<OpenSubscription> | undefined
      try {
        source = open(last, options.limit)
        const reader = new BatchReader<AllStreamResolvedEvent>(source)
        for (;;) {
          const raw = await reader.next(options.limit, stopping.signal)
          if (raw === null) break
          backoff = 0
          await deliver(raw)
        }
      } catch (err) {
        if (err instanceof HandlerFailed) throw err.error
        options.onError?.(err as Error)
      } finally {
        await source?.unsubscribe().catch(() => undefined)
      }
      if (stopping.signal.aborted) break
      // ended or dropped: reopen after the last handled position, not in a hot loop
      backoff = Math.min(backoff ? backoff * 2 : firstRetry, 2000)
      await pause(backoff, stopping.signal)
    }
  }

  const done = loop()
  done.catch(() => undefined) // observed through `done`
  return {
    done,
    async stop() {
      stopping.abort()
      await done.catch(() => undefined)
    },
    // batches are handed over as they arrive: there is no pause to cut short
    expedite() {},
  }
}
