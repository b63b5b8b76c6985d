import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Db } from '../../src/db/connection'
import { START, type StoredEvent } from '../../src/store/event-store'
import { PostgresEventStore } from '../../src/store/postgres/postgres-event-store'
import { comparePositions } from '../../src/store/postgres/rows'
import { APPEND } from '../../src/store/postgres/sql'
import { openTestDb } from '../helpers/db'
import { eventually } from '../helpers/eventually'
import { collect, event, eventStoreContract } from '../helpers/store-contract'

let db: Db
let store: PostgresEventStore

t.before(async () => {
  db = await openTestDb(t, 'postgres', 40)
  store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
})
t.teardown(() => store.close())

eventStoreContract(t, async () => store)

const later = (a: string, b: string) => comparePositions(a, b) > 0

t.test(
  '16 writers x 500 events, one transaction held open: the subscriber sees all 8,000 once, in order',
  async (t) => {
    const tail = await store.readAll({ after: START, limit: 100_000 })
    const start = tail.length ? tail[tail.length - 1]!.position : START
    // only this test's events count: earlier ones may still surface behind the cluster-wide xmin
    const seen = collect(store, 8000, { after: start, keep: (e) => e.type === 'Held' || e.type === 'Written' })

    // writer 0's first event sits in a transaction that stays open for 2 s
    // while the others commit hundreds of later positions around it
    const held = (async () => {
      const client = await db.pool.connect()
      try {
        const e = event('Held')
        await client.query('BEGIN')
        await client.query({
          ...APPEND.no_stream,
          values: [`w0-${randomUUID()}`, 1, [e.id], [e.type], [JSON.stringify(e.data)], [JSON.stringify(e.metadata)]],
        })
        await client.query('SELECT pg_sleep(2)')
        await client.query('COMMIT')
      } finally {
        client.release()
      }
    })()
    const writers = Array.from({ length: 16 }, async (_, w) => {
      const count = w === 0 ? 499 : 500
      for (let i = 0; i < count; i++)
        await store.append(`w${w}-${randomUUID()}`, [event('Written', { w, i })], { expectedRevision: 'no_stream' })
    })
    await Promise.all([held, ...writers])
    const events = await seen
    t.equal(events.length, 8000, 'no event missing or repeated')
    t.equal(new Set(events.map((e) => e.id)).size, 8000, 'each event once')
    t.ok(
      events.some((e) => e.type === 'Held'),
      'the late-committing event was delivered',
    )
    let ordered = true
    for (let i = 1; i < events.length; i++) if (!later(events[i]!.position, events[i - 1]!.position)) ordered = false
    t.ok(ordered, 'positions strictly increase')
  },
)

t.test(
  'an announced event hidden behind an open transaction is read soon after it ends, though that end wakes no one',
  async (t) => {
    const head = await store.head()
    const got: StoredEvent[] = []
    let arrived: () => void = () => undefined
    // a poll so slow that only the wake-up logic can deliver within the test
    const sub = store.subscribe({ after: head, pollIntervalMs: 30_000, coalesceMs: 300 }, async (events) => {
      got.push(...events.filter((e) => e.type.startsWith('Hidden')))
      arrived()
    })
    t.teardown(() => sub.stop())
    const next = () => new Promise<void>((r) => (arrived = r))

    const first = next()
    await store.append(`hidden-${randomUUID()}`, [event('HiddenA')], { expectedRevision: 'no_stream' })
    await first // the subscriber now pauses 300 ms (coalesceMs) before reading again
    const visible = event('HiddenC')
    await store.append(`hidden-${randomUUID()}`, [visible], { expectedRevision: 'no_stream' })
    const client = await db.pool.connect()
    await client.query('BEGIN')
    await client.query('SELECT pg_current_xact_id()') // takes an xid: later commits stay hidden until it ends
    const hidden = event('HiddenB')
    await store.append(`hidden-${randomUUID()}`, [hidden], { expectedRevision: 'no_stream' })
    // after the pause the subscriber reads C but not B; then the open transaction ends
    await new Promise((r) => setTimeout(r, 600))
    // (another test file's transaction may hide C as well; then this is the plain "woken, found nothing" case)
    if (!got.some((e) => e.id === visible.id)) t.comment('C was hidden too: another transaction in the cluster')
    t.notOk(
      got.some((e) => e.id === hidden.id),
      'B is hidden while the transaction is open',
    )
    const ended = performance.now()
    await client.query('COMMIT')
    client.release()
    await eventually(async () => got.some((e) => e.id === hidden.id), 5000)
    const ms = performance.now() - ended
    t.ok(ms < 3000, `read ${Math.round(ms)} ms after the transaction ended (the poll would take 30 s)`)
  },
)

t.test('a position from another store is refused', async (t) => {
  await t.rejects(store.readAll({ after: 'commit:1/prepare:2' }), { name: 'InvalidPosition' })
})

t.test('the feed orders positions as numbers where their digits grow (…98, 99, 100…)', async (t) => {
  const head = await store.head()
  await db.pool.query('ALTER TABLE es_events ALTER COLUMN position RESTART WITH 9999999995')
  const s = `digits-${randomUUID()}`
  const mine = Array.from({ length: 10 }, () => event('Digit'))
  await store.append(s, mine, { expectedRevision: 'no_stream' })
  let got: StoredEvent[] = []
  await eventually(
    async () => (got = (await store.readAll({ after: head, limit: 1000 })).filter((e) => e.stream === s)).length >= 10,
    10_000,
    50,
  )
  t.same(
    got.map((e) => e.id),
    mine.map((e) => e.id),
    'in append order across 9999999999 → 10000000000',
  )
  t.equal(await store.head(), got[9]!.position, 'the head is the numerically last')
})

t.test('a busy store sends other processes at most one NOTIFY per 25 ms, and one after the last append', async (t) => {
  let sent = 0
  const counting = {
    listen: db.notifier.listen.bind(db.notifier),
    notify: (channel: string, payload?: string) => (sent++, db.notifier.notify(channel, payload)),
  }
  const busy = new PostgresEventStore({ pool: db.pool, notifier: counting })
  t.teardown(() => busy.close())
  const started = Date.now()
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 100; i++)
        await busy.append(`busy-${randomUUID()}`, [event('Busy')], { expectedRevision: 'no_stream' })
    }),
  )
  const elapsed = Date.now() - started
  await new Promise((r) => setTimeout(r, 100))
  t.ok(sent >= 1, 'other processes were told')
  t.ok(sent <= Math.ceil(elapsed / 25) + 2, `${sent} NOTIFYs for 400 appends in ${elapsed} ms`)
  const before = sent
  await busy.append(`busy-${randomUUID()}`, [event('Busy')], { expectedRevision: 'no_stream' })
  await eventually(() => sent > before, 2_000, 5)
  t.pass('an append after a quiet spell is announced')
})
