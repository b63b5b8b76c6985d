import t from 'tap'
import { Batcher } from '../../src/store/batcher'

const tick = () => new Promise((r) => setImmediate(r))

t.test('alone at low load, grouped under load, never more than maxInFlight at once', async (t) => {
  const batches: number[][] = []
  let running = 0
  let most = 0
  const b = new Batcher<number, number>(
    async (xs) => {
      batches.push(xs)
      most = Math.max(most, ++running)
      await tick()
      running--
      return xs.map((x) => x * 2)
    },
    { maxInFlight: 2, maxBatch: 10 },
  )
  t.equal(await b.submit(1), 2, 'one call goes out at once, alone')
  t.same(batches, [[1]])
  const out = await Promise.all(Array.from({ length: 25 }, (_, i) => b.submit(i)))
  t.same(
    out,
    Array.from({ length: 25 }, (_, i) => i * 2),
    'each caller gets its own answer',
  )
  t.ok(most <= 2, `at most 2 batches at once (saw ${most})`)
  t.ok(
    batches.slice(1).every((x) => x.length <= 10),
    'no batch over maxBatch',
  )
  t.ok(batches.length - 1 < 25, `25 calls went out in ${batches.length - 1} batches`)
})

t.test('an input refused alone fails alone; a batch that throws fails all of its inputs', async (t) => {
  const b = new Batcher<number, number>(
    async (xs) => {
      if (xs.includes(13)) throw new Error('bad batch')
      return xs.map((x) => (x < 0 ? new RangeError(`negative: ${x}`) : x))
    },
    { maxInFlight: 1, maxBatch: 100 },
  )
  const [ok, refused] = await Promise.allSettled([b.submit(1), b.submit(-1)])
  t.match(ok, { status: 'fulfilled', value: 1 })
  t.match(refused, { status: 'rejected', reason: RangeError })
  const held = b.submit(0) // occupies the one slot, so the next two share a batch
  const both = await Promise.allSettled([b.submit(13), b.submit(2)])
  await held
  t.ok(both.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'bad batch'))
  t.equal(await b.submit(3), 3, 'and the batcher goes on')
})

t.test('an answer missing for an input is an error, not a hang', async (t) => {
  const b = new Batcher<number, number>(async () => [], { maxInFlight: 1, maxBatch: 10 })
  await t.rejects(b.submit(1), /no answer/)
})
