import type { Metrics } from '../platform/metrics'
import type { EventStore } from './event-store'
import { WrongExpectedVersion } from './event-store'

/** Wraps any adapter so append latency lands in the metrics. */
export function instrumentStore(store: EventStore, metrics: Metrics): EventStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== 'append') {
        const v = Reflect.get(target, prop, receiver) as unknown
        return typeof v === 'function' ? v.bind(target) : v
      }
      return async (...args: Parameters<EventStore['append']>) => {
        const end = metrics.appendDuration.startTimer()
        try {
          const r = await target.append(...args)
          end({ outcome: 'ok' })
          return r
        } catch (err) {
          end({ outcome: err instanceof WrongExpectedVersion ? 'conflict' : 'error' })
          throw err
        }
      }
    },
  })
}
