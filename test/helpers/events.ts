import { randomUUID } from 'node:crypto'
import type { Runtime } from '../../src/runtime'
import { START, type StoredEvent } from '../../src/store/event-store'
import { eventually } from './eventually'

const BARRIER = 'test-barrier'

/**
 * Every event the feed shows now, in global order, with no barrier appended
 * (the audit chain's counts stay exact). The feed shows a commit only once
 * every older transaction has ended: wait for your own appends first.
 */
export async function visibleEvents(runtime: Runtime): Promise<StoredEvent[]> {
  const out: StoredEvent[] = []
  for (let after = START; ;) {
    const batch = await runtime.store.readAll({ after, limit: 1000 })
    out.push(...batch)
    if (batch.length < 1000) return out
    after = batch[batch.length - 1]!.position
  }
}

/**
 * Every event in the store, in global order. readAll shows an event only once
 * every older transaction in the cluster has ended (so a feed never skips one),
 * so a marker is appended and awaited: once it shows, so does all before it.
 */
export async function allEvents(runtime: Runtime): Promise<StoredEvent[]> {
  const marker = randomUUID()
  await runtime.store.append(BARRIER, [{ id: marker, type: 'TestBarrier', data: {}, metadata: {} }], {
    expectedRevision: 'any',
  })
  let out: StoredEvent[] = []
  await eventually(async () => (out = await visibleEvents(runtime)).some((e) => e.id === marker), 30_000)
  return out.filter((e) => e.stream !== BARRIER)
}
