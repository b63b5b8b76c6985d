import { randomUUID } from 'node:crypto'
import { PassThrough } from 'node:stream'
import type { AllStreamResolvedEvent, Position as EsdbPosition } from '@eventstore/db-client'
import t from 'tap'
import { eventually } from '../helpers/eventually'
import type { StoredEvent } from '../../src/store/event-store'
import { BatchReader } from '../../src/store/esdb/batch-reader'
import { catchUpSubscription } from '../../src/store/esdb/subscription'

/**
 * The batching and reconnection logic of the ESDB subscription, driven by
 * object streams standing in for the client's subscription stream (no server
 * runs here; esdb.test.ts runs the contract suite against a real one).
 */
function recorded(commit: bigint, type = 'Thing', stream = 'thing-1'): AllStreamResolvedEvent {
  return {
    event: {
      streamId: stream,
      id: randomUUID(),
      isJson: true,
      revision: commit,
      type,
      created: new Date(),
      data: { commit: String(commit) },
      metadata: {},
      position: { commit, prepare: commit },
    },
  }
}

class FakeSource extends PassThrough {
  unsubscribed = false
  constructor(highWaterMark: number) {
    super({ objectMode: true, highWaterMark })
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed = true
  }
}

function harness() {
  const opened: { from: EsdbPosition | undefined; source: FakeSource }[] = []
  const open = (from: EsdbPosition | undefined, hwm: number) => {
    const source = new FakeSource(hwm)
    opened.push({ from, source })
    return source
  }
  return { opened, open }
}

const tick = () => new Promise((r) => setTimeout(r, 10))
const positions = (batches: StoredEvent[][]) => batches.map((b) => b.map((e) => e.position))

t.test('events that arrive together are handed over as one batch of at most limit', async (t) => {
  const { opened, open } = harness()
  const batches: StoredEvent[][] = []
  const sub = catchUpSubscription(open, { from: undefined, limit: 3 }, async (events) => void batches.push(events))
  for (const c of [1n, 2n, 3n, 4n, 5n]) opened[0]!.source.write(recorded(c))
  await tick()
  t.same(positions(batches), [
    ['esdb:1:1', 'esdb:2:2', 'esdb:3:3'],
    ['esdb:4:4', 'esdb:5:5'],
  ])
  await sub.stop()
  t.ok(opened[0]!.source.unsubscribed, 'stop ends the server subscription')
  await t.resolves(sub.done)
})

t.test('stop waits for the batch in flight; nothing more is handed over after it', async (t) => {
  const { opened, open } = harness()
  let release!: () => void
  const seen: string[] = []
  const sub = catchUpSubscription(open, { from: undefined, limit: 10 }, async (events) => {
    seen.push(...events.map((e) => e.position))
    await new Promise<void>((r) => (release = r))
  })
  opened[0]!.source.write(recorded(1n))
  await tick()
  let stopped = false
  const stopping = sub.stop().then(() => (stopped = true))
  opened[0]!.source.write(recorded(2n))
  await tick()
  t.notOk(stopped, 'still handling the first batch')
  release()
  await stopping
  t.same(seen, ['esdb:1:1'])
})

t.test('a dropped subscription is reopened after the last handled position, without repeats', async (t) => {
  const { opened, open } = harness()
  const errors: Error[] = []
  const seen: string[] = []
  const sub = catchUpSubscription(
    open,
    { from: { commit: 1n, prepare: 1n }, limit: 10, retryMs: 1, onError: (e) => errors.push(e) },
    async (events) => {
      seen.push(...events.map((e) => e.position))
    },
  )
  t.same(opened[0]!.from, { commit: 1n, prepare: 1n })
  const first = opened[0]!.source
  first.write(recorded(1n)) // at the starting position itself: not new
  first.write(recorded(2n))
  first.write(recorded(3n, '$statsCollected', '$stats-x'))
  await tick()
  first.emit('error', new Error('14 UNAVAILABLE: connection dropped'))
  await eventually(() => opened.length > 1, 5000, 5)
  t.equal(errors.length, 1, 'the drop is reported')
  t.ok(first.unsubscribed)
  t.same(opened[1]?.from, { commit: 3n, prepare: 3n }, 'reopened after the last position seen, system event included')
  opened[1]!.source.write(recorded(2n)) // a repeat from the server
  opened[1]!.source.write(recorded(4n))
  await tick()
  t.same(seen, ['esdb:2:2', 'esdb:4:4'])
  await sub.stop()
})

t.test('the next batch waits until the handler has resolved', async (t) => {
  const { opened, open } = harness()
  const releases: (() => void)[] = []
  const seen: string[][] = []
  const sub = catchUpSubscription(open, { from: undefined, limit: 10 }, async (events) => {
    seen.push(events.map((e) => e.position))
    await new Promise<void>((r) => releases.push(r))
  })
  opened[0]!.source.write(recorded(1n))
  await tick()
  opened[0]!.source.write(recorded(2n))
  opened[0]!.source.write(recorded(3n))
  await tick()
  t.same(seen, [['esdb:1:1']], 'one batch at a time')
  releases.shift()!()
  await tick()
  t.same(seen, [['esdb:1:1'], ['esdb:2:2', 'esdb:3:3']], 'what arrived meanwhile comes as the next batch')
  releases.shift()!()
  await sub.stop()
})

t.test('a handler error ends the subscription instead of skipping the batch', async (t) => {
  const { opened, open } = harness()
  const boom = new Error('projection failed')
  const sub = catchUpSubscription(open, { from: undefined, limit: 10 }, async () => {
    throw boom
  })
  opened[0]!.source.write(recorded(1n))
  await t.rejects(sub.done, boom, 'a handler error ends the subscription')
  t.ok(opened[0]!.source.unsubscribed)
  t.equal(opened.length, 1, 'and is not retried behind the caller’s back')
  await sub.stop()
})

t.test('a subscription the server ends is reopened', async (t) => {
  const { opened, open } = harness()
  const seen: string[] = []
  const sub = catchUpSubscription(
    open,
    { from: undefined, limit: 10, retryMs: 1 },
    async (events) => void seen.push(...events.map((e) => e.position)),
  )
  opened[0]!.source.end(recorded(7n))
  // reopened after retryMs; a loaded machine may take longer than a tick
  await eventually(() => opened.length > 1, 5000, 5)
  t.same(seen, ['esdb:7:7'])
  t.same(opened[1]?.from, { commit: 7n, prepare: 7n })
  await sub.stop()
})

t.test('BatchReader delivers what was buffered before an error, then the error', async (t) => {
  const s = new PassThrough({ objectMode: true })
  const reader = new BatchReader<number>(s)
  s.write(1)
  s.write(2)
  s.emit('error', new Error('gone'))
  t.same(await reader.next(10), [1, 2])
  await t.rejects(reader.next(10), { message: 'gone' })
})

t.test('BatchReader answers null at the end of the stream or when aborted', async (t) => {
  const ended = new PassThrough({ objectMode: true })
  const r1 = new BatchReader<number>(ended)
  ended.end(1)
  t.same(await r1.next(10), [1])
  t.equal(await r1.next(10), null)

  const idle = new BatchReader<number>(new PassThrough({ objectMode: true }))
  const abort = new AbortController()
  const waiting = idle.next(10, abort.signal)
  abort.abort()
  t.equal(await waiting, null)
})
