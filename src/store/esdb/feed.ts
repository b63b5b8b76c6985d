import type { AllStreamResolvedEvent, Position as EsdbPosition } from '@eventstore/db-client'
import type { StoredEvent } from '../event-store'
import { fromRecorded, isSystemRecord } from './events'
import { isAfter } from './positions'

export interface FeedPage {
  /** domain events after `after`, in $all order */
  events: StoredEvent[]
  /** the last position looked at, system events included; undefined when nothing was newer than `after` */
  last: EsdbPosition | undefined
}

/**
 * Turns what $all returned into the port's feed: drops everything at or before
 * `after` (a read from a position includes the event at that position, and a
 * resubscription may repeat one) and every system event. `last` still moves
 * past system events so that the next read does not look at them again.
 */
export function feedPage(raw: AllStreamResolvedEvent[], after: EsdbPosition | undefined): FeedPage {
  const events: StoredEvent[] = []
  let last: EsdbPosition | undefined
  let floor = after
  for (const r of raw) {
    const e = r.event
    if (!e || !isAfter(e.position, floor)) continue
    floor = last = e.position
    if (!isSystemRecord(e)) events.push(fromRecorded(e))
  }
  return { events, last }
}
