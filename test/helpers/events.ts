import { randomUUID } from 'node:crypto'
import type { Runtime } from '../../src/runtime'
import { START, type StoredEvent } from '../../src/store/event-store'
import { eventually } from './eventually'

export const BARRIER = 'test-barrier'

/**
 * Every event in the store, in global order. readAll shows an event only once
 * every older transaction in the cluster has ended (so a feed never skips one),
 * so a marker is appended and awaited: once it shows, so does all before it.
 */
export async function allEvents(runtime: Runtime): Promise<StoredEvent[]> {
  const marker = randomUUID()
  await runtime.store.append(BARRIER, [{ id: marker, type: 'TestBarrier', data: {}, metadata: {} }], { expectedRevision: 'any' })
  let out: StoredEvent[] = []
  await eventually(async () => {
    out = []
    for (let after = START; ; ) {
      const batch = await runtime.store.readAll({ after, limit: 1000 })
      out.push(...batch)
      if (batch.length < 1000) break
      after = batch[batch.length - 1]!.position
    }
    return out.some((e) => e.id === marker)
  }, 30_000)
  return out.filter((e) => e.stream !== BARRIER)
}
