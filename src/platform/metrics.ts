import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { StoredEvent } from '../store/event-store'

/**
 * One registry per process role (not prom-client's global one), so several
 * apps in one test process do not collide.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  })
  readonly appendDuration = new Histogram({
    name: 'eventstore_append_duration_seconds',
    help: 'Event store append latency',
    labelNames: ['outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  })
  readonly projectionLag = new Gauge({
    name: 'projection_lag_seconds',
    help: 'Time from an event being recorded to its batch being applied, for the last batch',
    labelNames: ['projection'],
    registers: [this.registry],
  })
  readonly projectionEvents = new Counter({
    name: 'projection_events_applied_total',
    help: 'Events applied per projection or reactor',
    labelNames: ['projection'],
    registers: [this.registry],
  })
  readonly projectionErrors = new Counter({
    name: 'projection_errors_total',
    help: 'Failed batches per projection or reactor (each is retried)',
    labelNames: ['projection'],
    registers: [this.registry],
  })

  readonly projectionMissedIncrements = new Counter({
    name: 'projection_missed_increments_total',
    help: 'Increments a projection made to a row that was not there (nothing was added), per projection and table',
    labelNames: ['projection', 'table'],
    registers: [this.registry],
  })

  readonly readYourWritesWaits = new Histogram({
    name: 'read_your_writes_wait_seconds',
    help: "How long a read waited for its read models to reach the caller's last write (reads that had to wait)",
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  })

  readonly redisUnavailable = new Counter({
    name: 'redis_unavailable_total',
    help: 'Requests that found Redis unavailable, by what they wanted it for and whether they fell back or were refused',
    labelNames: ['use', 'outcome'],
    registers: [this.registry],
  })

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry })
  }

  applied(projection: string, events: StoredEvent[]): void {
    const last = events[events.length - 1]
    if (!last) return
    this.projectionEvents.inc({ projection }, events.length)
    this.projectionLag.set({ projection }, Math.max(0, (Date.now() - last.recorded_at.getTime()) / 1000))
  }
}
