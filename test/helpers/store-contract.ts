import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import type { EventStore, NewEvent, StoredEvent } from '../../src/store/event-store'
import { DuplicateEventId, GuardFailed, START, WrongExpectedVersion } from '../../src/store/event-store'

/**
 * The behaviour every EventStore adapter must show (docs/architecture.md §4). Each adapter's
 * test file calls this with a factory that returns a fresh, empty store.
 */
export function event(type = 'Thing', data: unknown = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata: { actor_id: null, request_id: randomUUID() } }
}

function stream(): string {
  return `thing-${randomUUID()}`
}

async function wrongVersion(p: Promise<unknown>): Promise<WrongExpectedVersion> {
  try {
    await p
  } catch (err) {
    if (err instanceof WrongExpectedVersion) return err
    throw err
  }
  throw new Error('expected WrongExpectedVersion, the append succeeded')
}

/**
 * Subscribes and resolves once `count` events that pass `keep` arrived (or rejects after timeoutMs).
 * Other events are dropped: on a shared cluster, other files' older transactions may surface late.
 */
export interface CollectOptions {
  timeoutMs?: number
  after?: string
  keep?: (e: StoredEvent) => boolean
}

export function collect(
  store: EventStore,
  count: number,
  { timeoutMs = 30_000, after = START, keep = () => true }: CollectOptions = {},
): Promise<StoredEvent[]> {
  const seen: StoredEvent[] = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.stop().finally(() => reject(new Error(`timed out with ${seen.length}/${count} events`)))
    }, timeoutMs)
    const sub = store.subscribe({ after, limit: 500, pollIntervalMs: 50 }, async (events) => {
      const mine = events.filter(keep)
      seen.push(...mine)
      if (seen.length >= count) {
        clearTimeout(timer)
        // give a duplicate delivery the chance to show up before we stop
        setTimeout(() => sub.stop().then(() => resolve(seen)), 100)
      }
    })
    sub.done.catch(reject)
  })
}

export interface ContractOptions {
  /** event ids are unique across all streams (PostgreSQL); ESDB checks them per stream only */
  globalEventIds?: boolean
}

export function eventStoreContract(t: Test, makeStore: () => Promise<EventStore>, options: ContractOptions = {}): void {
  let store: EventStore
  t.before(async () => {
    store = await makeStore()
  })

  t.test('no_stream creates a stream and refuses an existing one', async (t) => {
    const s = stream()
    const first = await store.append(s, [event(), event()], { expectedRevision: 'no_stream' })
    t.equal(first.nextRevision, 1n)
    const err = await wrongVersion(store.append(s, [event()], { expectedRevision: 'no_stream' }))
    t.equal(err.stream, s)
    t.equal(err.expected, 'no_stream')
    t.equal(err.actual, 1n)
    t.equal((await store.readStream(s)).length, 2)
  })

  t.test('an exact revision appends only when it matches', async (t) => {
    const s = stream()
    const missing = await wrongVersion(store.append(s, [event()], { expectedRevision: 0n }))
    t.equal(missing.actual, 'no_stream')
    await store.append(s, [event()], { expectedRevision: 'no_stream' })
    const ok = await store.append(s, [event(), event()], { expectedRevision: 0n })
    t.equal(ok.nextRevision, 2n)
    const stale = await wrongVersion(store.append(s, [event()], { expectedRevision: 0n }))
    t.equal(stale.expected, 0n)
    t.equal(stale.actual, 2n)
    const ahead = await wrongVersion(store.append(s, [event()], { expectedRevision: 7n }))
    t.equal(ahead.actual, 2n)
    const events = await store.readStream(s)
    t.same(
      events.map((e) => e.revision),
      [0n, 1n, 2n],
    )
  })

  t.test('stream_exists refuses a missing stream and appends to an existing one', async (t) => {
    const s = stream()
    const err = await wrongVersion(store.append(s, [event()], { expectedRevision: 'stream_exists' }))
    t.equal(err.actual, 'no_stream')
    t.same(await store.readStream(s), [])
    await store.append(s, [event()], { expectedRevision: 'any' })
    const r = await store.append(s, [event()], { expectedRevision: 'stream_exists' })
    t.equal(r.nextRevision, 1n)
  })

  t.test('any appends whatever the stream holds', async (t) => {
    const s = stream()
    t.equal((await store.append(s, [event()], { expectedRevision: 'any' })).nextRevision, 0n)
    t.equal((await store.append(s, [event(), event()], { expectedRevision: 'any' })).nextRevision, 2n)
  })

  t.test('a stored event keeps its id, type, data, metadata, stream and revision', async (t) => {
    const s = stream()
    const e = event('Named', { n: 1, text: 'é ✓', nested: { a: [1, 2] } })
    e.metadata = {
      actor_id: randomUUID(),
      actor_role: 'admin',
      ip: '127.0.0.1',
      user_agent: 'tap',
      request_id: 'r1',
      correlation_id: 'c1',
      causation_id: null,
    }
    await store.append(s, [e], { expectedRevision: 'no_stream' })
    const [stored] = await store.readStream(s)
    t.equal(stored!.id, e.id)
    t.equal(stored!.type, 'Named')
    t.same(stored!.data, e.data)
    t.same(stored!.metadata, e.metadata)
    t.equal(stored!.stream, s)
    t.equal(stored!.revision, 0n)
    t.type(stored!.position, 'string')
    t.ok(stored!.recorded_at instanceof Date)
  })

  t.test('a retried append with the same event ids stores nothing twice', async (t) => {
    const s = stream()
    const batch = [event(), event()]
    const first = await store.append(s, batch, { expectedRevision: 'no_stream' })
    const retry = await store.append(s, batch, { expectedRevision: 'no_stream' })
    t.same(retry, first)
    const again = await store.append(s, batch, { expectedRevision: 'any' })
    t.same(again, first)
    t.equal((await store.readStream(s)).length, 2)
    if (options.globalEventIds !== false)
      await t.rejects(store.append(stream(), [batch[0]!], { expectedRevision: 'any' }), DuplicateEventId)
  })

  t.test('readAll returns events in global order and resumes after a position', async (t) => {
    const s = stream()
    const mine = [event(), event(), event()]
    for (const e of mine) await store.append(s, [e], { expectedRevision: 'any' })
    // the feed shows a commit once every older transaction has ended (on
    // PostgreSQL, in any database of the cluster): it may take a moment
    let all: StoredEvent[] = []
    for (let tries = 0; tries < 200; tries++) {
      all = await readEverything(store)
      if (mine.every((m) => all.some((e) => e.id === m.id))) break
      await new Promise((r) => setTimeout(r, 50))
    }
    const ids = all.map((e) => e.id)
    const idx = mine.map((e) => ids.indexOf(e.id))
    t.ok(
      idx.every((i) => i >= 0),
      'every event is in the feed',
    )
    t.same(
      [...idx].sort((a, b) => a - b),
      idx,
      'in append order',
    )
    const after = await store.readAll({ after: all[idx[0]!]!.position, limit: 2 })
    t.equal(after.length, 2)
    t.equal(after[0]!.id, all[idx[0]! + 1]!.id)
  })

  t.test('compare orders positions as the feed does: START first, each append after the one before', async (t) => {
    const s = stream()
    const a = await store.append(s, [event()], { expectedRevision: 'any' })
    const b = await store.append(s, [event()], { expectedRevision: 'any' })
    t.ok(store.compare(a.position, b.position) < 0, 'earlier before later')
    t.ok(store.compare(b.position, a.position) > 0, 'later after earlier')
    t.equal(store.compare(a.position, a.position), 0, 'a position is itself')
    t.ok(store.compare(START, a.position) < 0, 'START before every event')
    t.equal(store.compare(START, START), 0)
  })

  t.test('a stream of 12 events reads back in revision order, also while other streams are read at once', async (t) => {
    const s = stream()
    const others = [stream(), stream()]
    const mine = Array.from({ length: 12 }, () => event())
    for (let i = 0; i < 12; i += 4)
      await store.append(s, mine.slice(i, i + 4), { expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1) })
    for (const o of others) await store.append(o, [event()], { expectedRevision: 'no_stream' })
    const [a, b, c, missing] = await Promise.all([
      store.readStream(s),
      store.readStream(others[0]!),
      store.readStream(others[1]!),
      store.readStream(stream()),
    ])
    t.same(
      a.map((e) => e.revision),
      mine.map((_, i) => BigInt(i)),
      'revisions 0..11 in order (9 before 10)',
    )
    t.same(
      a.map((e) => e.id),
      mine.map((e) => e.id),
    )
    t.same([b.length, c.length, missing.length], [1, 1, 0], 'each read gets its own stream')
  })

  t.test(
    'concurrent first appends to many streams: each lands once, a repeated stream has one winner, a bad id fails alone',
    async (t) => {
      const streams = Array.from({ length: 60 }, () => stream())
      const taken = event()
      await store.append(stream(), [taken], { expectedRevision: 'no_stream' })
      const repeated = stream()
      const retried = event()
      const results = await Promise.allSettled([
        ...streams.map((s) => store.append(s, [event()], { expectedRevision: 'no_stream' })),
        ...Array.from({ length: 10 }, () => store.append(repeated, [event()], { expectedRevision: 'no_stream' })),
        ...Array.from({ length: 3 }, () =>
          store.append(`${repeated}-retried`, [retried], { expectedRevision: 'no_stream' }),
        ),
        store.append(stream(), [{ ...event(), id: taken.id }], { expectedRevision: 'no_stream' }),
      ])
      t.ok(
        results.slice(0, 60).every((r) => r.status === 'fulfilled'),
        'every distinct stream is written',
      )
      const rivals = results.slice(60, 70)
      t.equal(rivals.filter((r) => r.status === 'fulfilled').length, 1, 'one winner on the repeated stream')
      t.ok(
        rivals.every((r) => r.status === 'fulfilled' || r.reason instanceof WrongExpectedVersion),
        'the others: wrong expected version',
      )
      t.ok(
        results.slice(70, 73).every((r) => r.status === 'fulfilled'),
        'a retried append (same event id) is answered as the first',
      )
      if (options.globalEventIds !== false)
        t.match(results[73], { status: 'rejected', reason: DuplicateEventId }, 'an id stored elsewhere: refused, alone')
      for (const s of streams.slice(0, 5))
        t.same(
          (await store.readStream(s)).map((e) => e.revision),
          [0n],
        )
      t.equal((await store.readStream(repeated)).length, 1)
      t.equal((await store.readStream(`${repeated}-retried`)).length, 1)
    },
  )

  t.test(
    'a guarded append is written only while the guard stream is at the given revision, whatever the expected revision',
    async (t) => {
      const g = stream()
      await store.append(g, [event()], { expectedRevision: 'no_stream' })
      const s = stream()
      await store.append(s, [event()], { expectedRevision: 'no_stream', guard: { stream: g, revision: 0n } })
      await store.append(s, [event()], { expectedRevision: 0n, guard: { stream: g, revision: 0n } })
      await store.append(s, [event()], { expectedRevision: 'any', guard: { stream: g, revision: 0n } })
      await store.append(s, [event()], { expectedRevision: 'stream_exists', guard: { stream: g, revision: 0n } })
      await store.append(g, [event()], { expectedRevision: 0n })
      const stale = { stream: g, revision: 0n }
      for (const expectedRevision of ['no_stream', 3n, 'any', 'stream_exists'] as const) {
        const target = expectedRevision === 'no_stream' ? stream() : s
        const err = await store.append(target, [event()], { expectedRevision, guard: stale }).then(
          () => null,
          (e: unknown) => e,
        )
        t.match(
          err,
          { name: 'GuardFailed', stream: g, expected: 0n, actual: 1n },
          `${String(expectedRevision)}: refused`,
        )
        t.ok(err instanceof GuardFailed)
      }
      const missing = await store
        .append(stream(), [event()], { expectedRevision: 'no_stream', guard: { stream: stream(), revision: 0n } })
        .then(
          () => null,
          (e: unknown) => e,
        )
      t.match(missing, { name: 'GuardFailed', actual: 'no_stream' }, 'a guard stream that does not exist does not hold')
      t.same(
        (await store.readStream(s)).map((e) => e.revision),
        [0n, 1n, 2n, 3n],
        'nothing written by a refused append',
      )
      const ok = await store.append(s, [event()], { expectedRevision: 3n, guard: { stream: g, revision: 1n } })
      t.equal(ok.nextRevision, 4n, 'the current revision holds')
    },
  )

  t.test('concurrent guarded first appends: the ones whose guard holds land, the others fail alone', async (t) => {
    const g = stream()
    await store.append(g, [event(), event()], { expectedRevision: 'no_stream' })
    const targets = Array.from({ length: 40 }, () => stream())
    const results = await Promise.allSettled(
      targets.map((s, i) =>
        store.append(s, [event()], {
          expectedRevision: 'no_stream',
          guard: i % 4 === 0 ? undefined : { stream: g, revision: i % 2 === 0 ? 1n : 0n },
        }),
      ),
    )
    const landed = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
    t.same(
      landed,
      targets.flatMap((_, i) => (i % 2 === 0 ? [i] : [])),
      'unguarded and current guards land',
    )
    t.ok(
      results.every((r) => r.status === 'fulfilled' || r.reason instanceof GuardFailed),
      'stale guards fail with GuardFailed',
    )
    for (const [i, s] of targets.entries()) t.equal((await store.readStream(s)).length, i % 2 === 0 ? 1 : 0)
  })

  t.test('50 parallel no_stream appends to one stream: exactly one winner', async (t) => {
    const s = stream()
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => store.append(s, [event()], { expectedRevision: 'no_stream' })),
    )
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r) => r.status === 'rejected' && r.reason instanceof WrongExpectedVersion)
    t.equal(won.length, 1)
    t.equal(lost.length, 49)
    t.equal((await store.readStream(s)).length, 1)
  })

  t.test('50 parallel appends at the same revision: exactly one winner', async (t) => {
    const s = stream()
    await store.append(s, [event()], { expectedRevision: 'no_stream' })
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => store.append(s, [event()], { expectedRevision: 0n })),
    )
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    t.equal(results.filter((r) => r.status === 'rejected' && r.reason instanceof WrongExpectedVersion).length, 49)
    t.same(
      (await store.readStream(s)).map((e) => e.revision),
      [0n, 1n],
    )
  })

  t.test('a subscriber sees events appended after it started, once each, in order', async (t) => {
    const before = await readEverything(store)
    const start = before.length ? before[before.length - 1]!.position : START
    const s = stream()
    const mine = Array.from({ length: 20 }, () => event())
    const got = collect(store, 20, { after: start, keep: (e) => e.stream === s })
    for (const e of mine) await store.append(s, [e], { expectedRevision: 'any' })
    t.same(
      (await got).map((e) => e.id),
      mine.map((e) => e.id),
    )
  })
}

async function readEverything(store: EventStore): Promise<StoredEvent[]> {
  const all: StoredEvent[] = []
  let after = START
  for (;;) {
    const page = await store.readAll({ after, limit: 1000 })
    all.push(...page)
    if (page.length < 1000) return all
    after = page[page.length - 1]!.position
  }
}
