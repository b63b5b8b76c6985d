import t from 'tap'
import { Lru } from '../../src/platform/lru'

t.test('an Lru keeps the most recently used entries up to its size', async (t) => {
  const lru = new Lru<string, number>(2)
  lru.set('a', 1)
  lru.set('b', 2)
  t.equal(lru.get('a'), 1, 'a hit makes a the most recent')
  lru.set('c', 3)
  t.equal(lru.get('b'), undefined, 'b, least recently used, left first')
  t.equal(lru.get('a'), 1)
  t.equal(lru.get('c'), 3)
  lru.set('c', 4)
  t.equal(lru.get('c'), 4, 'a set replaces')
  lru.delete('c')
  t.equal(lru.get('c'), undefined)
})
