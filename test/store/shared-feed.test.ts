import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Db } from '../../src/db/connection'
import type { ReadAllOptions, StoredEvent } from '../../src/store/event-store'
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store'
import { comparePositions } from '../../src/store/postgres/rows'
import { SharedFeed } from '../../src/store/shared-feed'
import { openTestDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { event } from '../helpers/store-contract'

let db: Db
let store: PostgresEventStore

t.before(async () => {
  db = await openTestDb(t, 'postgres', 10)
  store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
})
t.teardown(() => store.close())

/** a feed over the real store that counts its reads; `hold` keeps a read's answer back until released */
function countingFeed(opts: { keep?: number; minIntervalMs?: number } = {}) {
  const reads: ReadAllOptions[] = []
  let hold: Promise<void> | undefined
  const feed = new SharedFeed(
    async (o) => {
      reads.push(o)
      const gate = hold
      const events = await store.readAll(o)
      await gate
      return events
    },
    comparePositions,
    { minIntervalMs: 0, ...opts },
  )
  return { feed, reads, holdNext: (until: Promise<void>) => (hold = until) }
}

/** appends n events to fresh streams and waits until a reader can see the last one */
async function appendVisible(n: number): Promise<StoredEvent[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const e = event('Fed', { i })
    ids.push(e.id)
    await store.append(`fed-${randomUUID()}`, [e], { expectedRevision: 'no_stream' })
  }
  let visible: StoredEvent[] = []
  await eventually(
    async () =>
      (visible = (await store.readAll({ after: mark, limit: 10_000 })).filter((e) => ids.includes(e.id))).length === n,
    10_000,
    20,
  )
  return visible
}

/** the head before each test: its events come after it */
let mark = ''
t.beforeEach(async () => {
  mark = await store.head()
})

t.test('ten subscribers at the head share one read of the store', async (t) => {
  const { feed, reads } = countingFeed()
  await feed.read({ after: mark }) // anchors the window at the head
  const mine = await appendVisible(5)
  const before = reads.length
  const got = await Promise.all(Array.from({ length: 10 }, () => feed.read({ after: mark })))
  for (const g of got)
    t.same(
      g.filter((e) => e.type === 'Fed').map((e) => e.id),
      mine.map((e) => e.id),
      'every subscriber gets the new events, in order',
    )
  t.equal(reads.length - before, 1, 'one query served all ten')
  const again = await Promise.all(Array.from({ length: 10 }, () => feed.read({ after: mark, limit: 2 })))
  t.equal(reads.length - before, 1, 'positions inside the window are served from memory')
  for (const g of again) t.equal(g.length, 2, 'a subscriber limit is kept')
})

t.test('a caller never gets the answer of a read that started before its call', async (t) => {
  const { feed, holdNext } = countingFeed()
  await feed.read({ after: mark })
  let release!: () => void
  holdNext(new Promise<void>((r) => (release = r)))
  const early = feed.read({ after: mark }) // its query runs now, before the event exists; its answer is held
  await new Promise((r) => setTimeout(r, 50))
  const [late] = await appendVisible(1)
  holdNext(Promise.resolve())
  const second = feed.read({ after: mark })
  release()
  await early
  const got = await second
  t.ok(
    got.some((e) => e.id === late!.id),
    'the later caller waited for a read of its own and saw the new event',
  )
})

t.test('a subscriber behind the window reads the store itself, and gets what readAll gives', async (t) => {
  const { feed, reads } = countingFeed({ keep: 5 })
  await feed.read({ after: mark })
  const mine = await appendVisible(20)
  const atHead = await feed.read({ after: mark, limit: 100 })
  t.same(
    atHead.filter((e) => e.type === 'Fed').map((e) => e.id),
    mine.map((e) => e.id),
  )
  const before = reads.length
  const behind = await feed.read({ after: mark, limit: 3 })
  t.equal(reads.length - before, 1, 'the window keeps only 5: the start is read from the store')
  t.same(
    behind.map((e) => e.id),
    (await store.readAll({ after: mark, limit: 3 })).map((e) => e.id),
  )
  const inside = await feed.read({ after: atHead[16]!.position })
  t.equal(reads.length - before, 1, 'the last 5 are still in memory')
  t.same(
    inside.map((e) => e.id),
    atHead.slice(17).map((e) => e.id),
  )
})

t.test('a subscriber ahead of the window (it read the store itself) is served once the feed catches up', async (t) => {
  const { feed } = countingFeed()
  await feed.read({ after: mark })
  const mine = await appendVisible(6)
  const got = await feed.read({ after: mine[2]!.position })
  t.same(
    got.filter((e) => e.type === 'Fed').map((e) => e.id),
    mine.slice(3).map((e) => e.id),
  )
})

t.test('reads at the head are spaced by minIntervalMs however often subscribers ask', async (t) => {
  const { feed, reads } = countingFeed({ minIntervalMs: 50 })
  await feed.read({ after: mark })
  const before = reads.length
  const started = Date.now()
  while (Date.now() - started < 500) await feed.read({ after: mark })
  t.ok(reads.length - before <= 12, `at most one read per 50 ms (${reads.length - before} in 500 ms)`)
})

t.test('every subscription of the store sees every event once, in order, through the shared feed', async (t) => {
  const streams = new Set<string>()
  const seen: string[][] = [[], [], [], []]
  const subs = seen.map((list, k) =>
    store.subscribe({ after: mark, limit: 7 + k * 50, pollIntervalMs: 50, coalesceMs: k * 5 }, async (events) => {
      for (const e of events) if (streams.has(e.stream)) list.push(e.id)
    }),
  )
  const ids: string[] = []
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 40; i++) {
        const s = `many-${randomUUID()}`
        streams.add(s)
        const e = event('Many')
        ids.push(e.id)
        await store.append(s, [e], { expectedRevision: 'no_stream' })
      }
    }),
  )
  await eventually(async () => seen.every((l) => l.length >= ids.length), 15_000, 50)
  await new Promise((r) => setTimeout(r, 200)) // a repeat would land meanwhile
  await Promise.all(subs.map((s) => s.stop()))
  const inOrder = (await store.readAll({ after: mark, limit: 10_000 }))
    .filter((e) => streams.has(e.stream))
    .map((e) => e.id)
  for (const list of seen) t.same(list, inOrder, 'each subscriber: all 320 events, once, in feed order')
})

t.test(
  'subscriptions catching up behind the window read each batch of the store once, and each sees every event once, in order',
  async (t) => {
    class CountingStore extends PostgresEventStore {
      readonly feedReads: ReadAllOptions[] = []
      override async readAll(o: ReadAllOptions = {}): Promise<StoredEvent[]> {
        this.feedReads.push(o)
        return super.readAll(o)
      }
    }
    const counting = new CountingStore({ pool: db.pool, notifier: db.notifier })
    t.teardown(() => counting.close())
    const mine = await appendVisible(60)
    // a subscriber at the head (the hot path's cache) anchors the window after them: reading them is catching up
    const atHead = counting.subscribe({ after: mine.at(-1)!.position }, async () => undefined)
    await eventually(async () => counting.feedReads.length > 0)
    const seen: string[][] = Array.from({ length: 8 }, () => [])
    const subs = seen.map((list) =>
      counting.subscribe({ after: mark, limit: 5, pollIntervalMs: 50 }, async (events) => {
        for (const e of events) if (e.type === 'Fed') list.push(e.id)
      }),
    )
    await eventually(async () => seen.every((l) => l.length >= 60), 15_000, 20)
    await Promise.all([...subs, atHead].map((s) => s.stop()))
    for (const list of seen)
      t.same(
        list,
        mine.map((e) => e.id),
        'all 60, once, in feed order',
      )
    const behind = counting.feedReads.filter((o) => o.limit === 5)
    t.equal(new Set(behind.map((o) => o.after)).size, behind.length, 'no batch of 5 read twice')
    t.equal(behind.length, 12, 'twelve batches, twelve reads, for eight subscriptions')
  },
)
