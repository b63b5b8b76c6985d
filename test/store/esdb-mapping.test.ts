import { randomUUID } from 'node:crypto'
import {
  ANY,
  type AllStreamResolvedEvent,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client'
import t from 'tap'
import { START, WrongExpectedVersion } from '../../src/store/event-store'
import { InvalidConnectionString, toClientConnectionString } from '../../src/store/esdb/connection'
import { PositionUnavailable, fromRecorded, isSystemRecord, toEventData } from '../../src/store/esdb/events'
import { feedPage } from '../../src/store/esdb/feed'
import { InvalidPosition, decodePosition, encodePosition, isAfter } from '../../src/store/esdb/positions'
import { isStreamNotFound, toActualRevision, toEsdbExpectedRevision, toPortError } from '../../src/store/esdb/revisions'
import { decodePosition as decodePgPosition } from '../../src/store/postgres/rows'

/** What the client hands back for an event in $all (see RecordedEvent in its types). */
function recorded(o: {
  stream?: string
  type?: string
  revision?: bigint
  commit: bigint
  prepare?: bigint
  data?: unknown
  metadata?: unknown
}): AllStreamResolvedEvent {
  return {
    event: {
      streamId: o.stream ?? 'thing-1',
      id: randomUUID(),
      isJson: true,
      revision: o.revision ?? 0n,
      type: o.type ?? 'Thing',
      created: new Date('2025-01-02T03:04:05.678Z'),
      data: (o.data ?? { n: 1 }) as Record<string, unknown>,
      metadata: (o.metadata ?? { actor_id: null }) as Record<string, unknown>,
      position: { commit: o.commit, prepare: o.prepare ?? o.commit },
    },
    commitPosition: o.commit,
  }
}

t.test('expected revisions map one to one onto the client constants', async (t) => {
  t.equal(toEsdbExpectedRevision('no_stream'), NO_STREAM)
  t.equal(toEsdbExpectedRevision('stream_exists'), STREAM_EXISTS)
  t.equal(toEsdbExpectedRevision('any'), ANY)
  t.equal(toEsdbExpectedRevision(0n), 0n, 'both count the last event from 0')
  t.equal(toEsdbExpectedRevision(41n), 41n)
  t.throws(
    () => toEsdbExpectedRevision(-1n),
    RangeError,
    'a negative revision is refused, not sent as a huge unsigned one',
  )
})

t.test('a missing stream is no_stream whichever way the server reports it', async (t) => {
  t.equal(toActualRevision('no_stream'), 'no_stream')
  t.equal(toActualRevision(undefined), 'no_stream')
  t.equal(toActualRevision(-1n), 'no_stream')
  t.equal(toActualRevision(0n), 0n)
  t.equal(toActualRevision(7n), 7n)
})

t.test("WrongExpectedVersionError becomes the port's WrongExpectedVersion with the caller's expectation", async (t) => {
  const existing = new WrongExpectedVersionError(undefined, { streamName: 's-1', expected: NO_STREAM, current: 3n })
  const a = toPortError(existing, 's-1', 'no_stream')
  t.ok(a instanceof WrongExpectedVersion)
  t.match(a, { stream: 's-1', expected: 'no_stream', actual: 3n })

  const missing = new WrongExpectedVersionError(undefined, { streamName: 's-2', expected: ANY, current: NO_STREAM })
  t.match(toPortError(missing, 's-2', 'stream_exists'), { expected: 'stream_exists', actual: 'no_stream' })
  t.match(toPortError(missing, 's-2', 4n), { expected: 4n, actual: 'no_stream' })

  const other = new Error('unavailable')
  t.equal(toPortError(other, 's', 'any'), other, 'anything else passes through unchanged')
  t.equal(toPortError(new StreamNotFoundError(undefined, 's'), 's', 'any') instanceof WrongExpectedVersion, false)
})

t.test('StreamNotFoundError is recognised by its type tag', async (t) => {
  t.ok(isStreamNotFound(new StreamNotFoundError(undefined, 'x')))
  t.ok(isStreamNotFound({ type: 'stream-not-found' }))
  t.notOk(isStreamNotFound(new Error('stream-not-found')))
  t.notOk(isStreamNotFound(null))
})

t.test('positions round-trip and cannot be mistaken for PostgreSQL ones', async (t) => {
  const p = { commit: 18446744073709551615n, prepare: 1234n }
  t.equal(encodePosition(p), 'esdb:18446744073709551615:1234')
  t.same(decodePosition(encodePosition(p)), p)
  t.equal(decodePosition(START), undefined, 'START is before everything')
  t.equal(decodePosition(undefined), undefined)
  for (const foreign of [
    '12:34',
    'esdb:1',
    'esdb:-1:2',
    'esdb:1:2:3',
    'ESDB:1:2',
    ' esdb:1:2',
    'esdb:18446744073709551616:0',
    'commit:1/prepare:2',
  ]) {
    t.throws(() => decodePosition(foreign), InvalidPosition, `refuses ${JSON.stringify(foreign)}`)
  }
  t.throws(() => decodePgPosition('esdb:1:2'), { name: 'InvalidPosition' }, 'and the PostgreSQL adapter refuses ours')
  t.throws(() => encodePosition({ commit: -1n, prepare: 0n }), RangeError)
})

t.test('positions order by commit, then prepare', async (t) => {
  t.ok(isAfter({ commit: 2n, prepare: 0n }, { commit: 1n, prepare: 9n }))
  t.ok(isAfter({ commit: 1n, prepare: 2n }, { commit: 1n, prepare: 1n }))
  t.notOk(isAfter({ commit: 1n, prepare: 1n }, { commit: 1n, prepare: 1n }))
  t.notOk(isAfter({ commit: 1n, prepare: 5n }, { commit: 2n, prepare: 0n }))
  t.ok(isAfter({ commit: 0n, prepare: 0n }, undefined), 'everything is after the start')
})

t.test('a new event becomes a JSON event carrying our id, type, data and metadata', async (t) => {
  const id = randomUUID()
  const metadata = { actor_id: randomUUID(), request_id: 'r1', correlation_id: 'c1', causation_id: null }
  const e = toEventData({ id, type: 'SignupRequested', data: { email: 'a@b.c' }, metadata })
  t.same(e, { id, contentType: 'application/json', type: 'SignupRequested', data: { email: 'a@b.c' }, metadata })
  t.equal(
    toEventData({ id, type: 'Empty', data: undefined, metadata: {} }).data,
    null,
    'undefined data is stored as null',
  )
})

t.test('a recorded event becomes a StoredEvent', async (t) => {
  const r = recorded({
    stream: 'user-1',
    type: 'LoginSucceeded',
    revision: 4n,
    commit: 900n,
    prepare: 800n,
    data: { a: [1, 'é'] },
    metadata: { ip: '::1' },
  })
  const s = fromRecorded(r.event!)
  t.same(s, {
    id: r.event!.id,
    type: 'LoginSucceeded',
    data: { a: [1, 'é'] },
    metadata: { ip: '::1' },
    stream: 'user-1',
    revision: 4n,
    position: 'esdb:900:800',
    recorded_at: new Date('2025-01-02T03:04:05.678Z'),
  })
  t.equal(typeof s.revision, 'bigint')
  t.ok(s.recorded_at instanceof Date)
})

t.test('metadata that is not a JSON object decodes to {}; binary data to base64', async (t) => {
  const base = recorded({ commit: 1n }).event!
  t.same(fromRecorded({ ...base, metadata: undefined }).metadata, {})
  t.same(fromRecorded({ ...base, metadata: [1, 2] }).metadata, {})
  t.same(fromRecorded({ ...base, metadata: new Uint8Array([1]) }).metadata, {})
  const binary = { ...base, isJson: false as const, data: new Uint8Array([0xde, 0xad]) }
  t.equal(fromRecorded(binary as unknown as typeof base).data, '3q0=')
  t.throws(
    () => fromRecorded({ ...base, position: undefined }),
    PositionUnavailable,
    'servers before 22.6 do not send positions',
  )
})

t.test('system events are recognised by a $ type or a $ stream', async (t) => {
  t.ok(isSystemRecord({ type: '$metadata', streamId: '$$thing-1' }))
  t.ok(isSystemRecord({ type: '$>', streamId: '$ce-thing' }))
  t.ok(isSystemRecord({ type: 'Thing', streamId: '$stats-127.0.0.1:2113' }))
  t.notOk(isSystemRecord({ type: 'Thing', streamId: 'thing-$1' }))
})

t.test('a page of $all keeps domain events after the given position, and moves past system events', async (t) => {
  const raw = [
    recorded({ commit: 10n }),
    recorded({ commit: 20n, type: '$statsCollected', stream: '$stats-x' }),
    recorded({ commit: 30n }),
    { commitPosition: 35n } as AllStreamResolvedEvent,
    recorded({ commit: 40n, type: '$>', stream: '$ce-thing' }),
  ]
  const all = feedPage(raw, undefined)
  t.same(
    all.events.map((e) => e.position),
    ['esdb:10:10', 'esdb:30:30'],
  )
  t.same(all.last, { commit: 40n, prepare: 40n }, 'the last position looked at, even a system event')
  const after = feedPage(raw, { commit: 10n, prepare: 10n })
  t.same(
    after.events.map((e) => e.position),
    ['esdb:30:30'],
    'the event at the position itself is dropped',
  )
  const none = feedPage(raw, { commit: 40n, prepare: 40n })
  t.same(none, { events: [], last: undefined })
})

t.test('KurrentDB spellings of the connection string become esdb:// for the v6 client', async (t) => {
  t.equal(toClientConnectionString('esdb://localhost:2113?tls=false'), 'esdb://localhost:2113?tls=false')
  t.equal(
    toClientConnectionString('kurrentdb://admin:changeit@db:2113?tls=false'),
    'esdb://admin:changeit@db:2113?tls=false',
  )
  t.equal(toClientConnectionString('kurrent+discover://a:2113,b:2113'), 'esdb+discover://a:2113,b:2113')
  t.equal(toClientConnectionString('KurrentDB+Discover://a:2113'), 'esdb+discover://a:2113')
  t.equal(toClientConnectionString('esdb+discover://a:2113'), 'esdb+discover://a:2113')
  const err = t.throws(() => toClientConnectionString('postgres://user:secret@db/x'), InvalidConnectionString) as Error
  t.notMatch(err.message, /secret/, 'the message never repeats the URL (it may hold a password)')
})
