import t from 'tap'
import { createLogger } from '../../src/platform/logger'
import { Metrics } from '../../src/platform/metrics'
import { RedisOutage } from '../../src/platform/outage'

t.test('an outage is counted per request and logged once per use and quiet spell', async (t) => {
  const lines: { use: string; outcome: string; msg: string }[] = []
  const logger = createLogger({ logLevel: 'warn' }, 'dscp', { write: (line: string) => lines.push(JSON.parse(line)) })
  const metrics = new Metrics(false)
  let now = 0
  const outage = new RedisOutage(logger, metrics, 10_000, () => now)
  const err = new Error("Stream isn't writeable and enableOfflineQueue options is false")

  for (let i = 0; i < 500; i++) outage.met('rate_limit', 'fallback', err)
  outage.met('stream_tickets', 'refused', err)
  now = 9_999
  outage.met('rate_limit', 'fallback', err)
  t.same(
    lines.map((l) => [l.use, l.outcome]),
    [
      ['rate_limit', 'fallback'],
      ['stream_tickets', 'refused'],
    ],
    '501 fallbacks of one use in 10 s: one line; another use gets its own',
  )
  now = 10_000
  outage.met('rate_limit', 'fallback', err)
  t.equal(lines.length, 3, 'and another line once the quiet spell is over')

  const text = await metrics.registry.getSingleMetricAsString('redis_unavailable_total')
  t.match(text, 'redis_unavailable_total{use="rate_limit",outcome="fallback"} 502')
  t.match(text, 'redis_unavailable_total{use="stream_tickets",outcome="refused"} 1')
})
