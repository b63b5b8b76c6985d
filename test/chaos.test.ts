import t from 'tap'
import { runChaos } from '../bench/chaos/run'

/**
 * `npm run chaos`, shorter: the same processes, faults and books on a
 * smaller load (the full run's table is in docs/operations.md §8). It fails
 * on what the full run fails on.
 */
t.test('chaos, short: every role killed, PostgreSQL cut, Redis flushed and stopped, under a mark load', async (t) => {
  const r = await runChaos({
    students: 300,
    // enough pairs for minutes of load: on a busy machine the restarts take their time
    events: 12,
    rate: 15,
    cuts: 2,
    redisOutageSeconds: 3,
    poolSize: 3,
    pace: 0.5,
  })
  t.comment(JSON.stringify({ ...r, crashed: r.crashed.map((c) => c.name) }))
  t.ok(r.tally.acknowledged > 0, `${r.tally.acknowledged} marks acknowledged`)
  t.notOk(r.ranOut, 'the load lasted the whole run')
  t.equal(r.tally.errors5xx, 0, 'no answer 500')
  t.equal(r.tally.refused4xx, 0, 'no answer 4xx')
  t.equal(r.lostInStore, 0, 'no acknowledged mark missing from the store')
  t.equal(r.lostInReadModel, 0, 'no acknowledged mark missing from the read table')
  t.equal(r.duplicated, 0, 'none stored or projected twice')
  t.same(
    r.crashed.map((c) => `${c.name}: ${c.output}`),
    [],
    'no process crashed',
  )
  t.ok(r.duringRedisOutage.answers > 0, 'marks were made while Redis was down')
  t.equal(r.duringRedisOutage.not200, 0, 'and every one of them acknowledged')
  // the 2 s of the full run is measured by `npm run chaos`, on a quiet machine; here it only has to come back
  t.ok(
    r.recoveryAfterCutMs.every((ms) => Number.isFinite(ms)),
    `every API back after each cut: ${r.recoveryAfterCutMs.join(', ')} ms`,
  )
})
