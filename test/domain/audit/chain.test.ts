import t from 'tap'
import { canonicalEvent, canonicalJson, chainKey, chainLink } from '../../../src/domain/audit/chain'
import type { StoredEvent } from '../../../src/store/event-store'

const event = (over: Partial<StoredEvent> = {}): StoredEvent => ({
  id: 'e1',
  type: 'T',
  data: { b: 1, a: [{ y: 2, x: 1 }] },
  metadata: { ip: null },
  stream: 's',
  revision: 3n,
  position: '9:9',
  recorded_at: new Date('2025-01-01T00:00:00.000Z'),
  ...over,
})

t.test('canonical JSON sorts keys at every depth, so jsonb’s key order cannot change a link', async (t) => {
  t.equal(
    canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: null } }),
    '{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}',
  )
  t.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }))
  t.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}')
  t.equal(
    canonicalEvent(event()),
    '{"data":{"a":[{"x":1,"y":2}],"b":1},"id":"e1","metadata":{"ip":null},"recorded_at":"2025-01-01T00:00:00.000Z","revision":"3","stream":"s","type":"T"}',
  )
})

t.test('a link depends on the key, the previous link and every part of the event', async (t) => {
  const key = chainKey({ jwtSecret: 'j'.repeat(32) })
  const base = chainLink(key, '', event())
  t.match(base, /^[0-9a-f]{64}$/)
  t.equal(
    chainLink(key, '', event({ data: { a: [{ x: 1, y: 2 }], b: 1 } })),
    base,
    'same content, other key order: same link',
  )
  t.not(chainLink(chainKey({ jwtSecret: 'k'.repeat(32) }), '', event()), base, 'another JWT secret: another key')
  t.not(
    chainLink(chainKey({ jwtSecret: 'j'.repeat(32), auditChainSecret: 'a'.repeat(32) }), '', event()),
    base,
    'AUDIT_CHAIN_SECRET wins over JWT_SECRET',
  )
  t.not(chainLink(key, base, event()), base, 'the previous link counts')
  for (const over of [
    { id: 'e2' },
    { type: 'U' },
    { stream: 't' },
    { revision: 4n },
    { data: { b: 2, a: [] } },
    { metadata: { ip: '1.1.1.1' } },
    { recorded_at: new Date('2025-01-01T00:00:00.001Z') },
  ]) {
    t.not(chainLink(key, '', event(over)), base, `changing ${Object.keys(over)[0]} changes the link`)
  }
  t.equal(
    chainLink(key, '', event({ position: '1:1' })),
    base,
    'the position is covered by the chain order, not the link',
  )
})
