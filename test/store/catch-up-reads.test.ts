import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Db } from '../../src/db/connection'
import { CatchUpReads } from '../../src/store/catch-up-reads'
import type { ReadAllOptions, StoredEvent } from '../../src/store/event-store'
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store'
import { comparePositions } from '../../src/store/postgres/rows'
import { openTestDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { event } from '../helpers/store-contract'

/**
 * Subscribers catching up (behind the shared feed's window) read the store
 * once for all of them, as a convoy: the one in front waits while the kept
 * batches are full and still ahead of the one at the back
 * (store/catch-up-reads.ts). Batches of 4 here, and room for two.
 */

let db: Db
let store: PostgresEventStore

t.before(async () => {
  db = await openTestDb(t, 'postgres', 10)
  store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
})
t.teardown(() => store.close())

/** 16 new events, visible; `start` is the position just before them */
async function sixteen(): Promise<{ start: string; events: StoredEvent[] }> {
  const start = await store.head()
  for (let i = 0; i < 16; i++)
    await store.append(`convoy-${randomUUID()}`, [event('Convoy', { i })], { expectedRevision: 'no_stream' })
  let events: StoredEvent[] = []
  await eventually(async () => (events = await store.readAll({ after: start, limit: 100 })).length === 16, 10_000, 20)
  return { start, events }
}

function convoy(opts: { keep?: number; patienceMs?: number } = {}) {
  const reads: ReadAllOptions[] = []
  const reads$ = new CatchUpReads(
    (o) => {
      reads.push(o)
      return store.readAll(o)
    },
    comparePositions,
    { keep: 8, patienceMs: 10_000, ...opts },
  )
  return { reads, convoy: reads$ }
}

const ids = (events: StoredEvent[]) => events.map((e) => e.id)
/** whether `p` has settled within `ms` */
const settles = (p: Promise<unknown>, ms = 100) =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))])

t.test(
  'the reader in front waits for the one at the back once the kept batches are full; each batch is read once',
  async (t) => {
    const { start, events } = await sixteen()
    const { reads, convoy: c } = convoy()
    const [slow, fast] = [{}, {}]
    const after = (i: number) => (i === 0 ? start : events[i * 4 - 1]!.position)
    t.same(ids(await c.read(start, 4, slow)), ids(events.slice(0, 4)))
    for (const i of [0, 1, 2]) t.same(ids(await c.read(after(i), 4, fast)), ids(events.slice(i * 4, i * 4 + 4)))
    const fourth = c.read(after(3), 4, fast)
    t.equal(await settles(fourth), false, 'the fourth batch waits: two are kept, both ahead of the slow reader')
    t.same(ids(await c.read(after(1), 4, slow)), ids(events.slice(4, 8)), 'the slow one reads a kept batch at once')
    t.equal(await settles(fourth), true, 'and the fast one goes on')
    t.same(ids(await fourth), ids(events.slice(12, 16)))
    for (const i of [2, 3]) t.same(ids(await c.read(after(i), 4, slow)), ids(events.slice(i * 4, i * 4 + 4)))
    t.equal(reads.length, 4, 'four batches, four reads of the store')
  },
)

t.test('the reader at the back never waits, and one that stops asking is left behind after patienceMs', async (t) => {
  const { start, events } = await sixteen()
  const { reads, convoy: c } = convoy({ patienceMs: 200 })
  const [gone, fast] = [{}, {}]
  await c.read(start, 4, gone)
  let after = start
  const started = Date.now()
  for (let i = 0; i < 4; i++) {
    const batch = await c.read(after, 4, fast)
    t.same(ids(batch), ids(events.slice(i * 4, i * 4 + 4)))
    after = batch.at(-1)!.position
  }
  const waited = Date.now() - started
  t.ok(waited >= 150 && waited < 2_000, `waited once for the reader that stopped, about patienceMs (${waited} ms)`)
  const back = Date.now()
  t.same(ids(await c.read(events[3]!.position, 4, gone)), ids(events.slice(4, 8)), 'it comes back: what readAll gives')
  t.ok(Date.now() - back < 150, 'now at the back, it does not wait')
  t.equal(reads.length, 5, 'the batch it had not read was dropped meanwhile: it read that one by itself')
})

t.test('a reader waiting in front stops waiting once it leaves (its subscription stopped)', async (t) => {
  const { start, events } = await sixteen()
  const { convoy: c } = convoy()
  const [slow, fast] = [{}, {}]
  await c.read(start, 4, slow)
  let after = start
  for (let i = 0; i < 3; i++) after = (await c.read(after, 4, fast)).at(-1)!.position
  const waiting = c.read(after, 4, fast)
  t.equal(await settles(waiting), false, 'it waits for the slow one')
  c.leave(fast)
  t.equal(await settles(waiting), true, 'not once it has left')
  t.same(ids(await waiting), ids(events.slice(12, 16)), 'with what readAll gives')
})

t.test('many readers catching up at once: each gets what readAll gives, and each batch is read once', async (t) => {
  const { start, events } = await sixteen()
  const { reads, convoy: c } = convoy()
  const walk = async (delayMs: number) => {
    const reader = {}
    const got: string[] = []
    let after = start
    for (;;) {
      const batch = await c.read(after, 4, reader)
      got.push(...ids(batch))
      if (batch.length < 4) return got
      after = batch.at(-1)!.position
      await new Promise((r) => setTimeout(r, delayMs))
    }
  }
  const walks = await Promise.all(Array.from({ length: 12 }, (_, k) => walk(k % 4)))
  for (const got of walks) t.same(got, ids(events), 'all 16, in order, then a short batch')
  const full = reads.filter((o) => o.after !== events[15]!.position)
  t.equal(new Set(full.map((o) => o.after)).size, full.length, 'no full batch read twice')
  t.equal(full.length, 4)
})

t.test('what is kept goes once the last reader has caught up', async (t) => {
  const { start, events } = await sixteen()
  const { reads, convoy: c } = convoy()
  const [one, two] = [{}, {}]
  await c.read(start, 4, one)
  await c.read(start, 4, two)
  t.equal(reads.length, 1)
  c.leave(one)
  await c.read(start, 4)
  t.equal(reads.length, 1, 'kept while a reader catching up remains')
  c.leave(two)
  await c.read(events[3]!.position, 4)
  await c.read(start, 4)
  t.equal(reads.length, 3, 'dropped once none remains')
})
