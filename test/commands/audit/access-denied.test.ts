import { randomUUID } from 'node:crypto'
import t from 'tap'
import { AccessDeniedRecorder } from '../../../src/commands/audit/access-denied'
import type { CommandContext } from '../../../src/commands/context'
import { PostgresEventStore } from '../../../src/store/postgres/postgres-event-store'
import { openTestDb } from '../../helpers/db'

/** The tally on a clock of the test's own: windows roll over when the test says so. */
const WINDOW_MS = 60_000
const denial = { method: 'GET', route: '/api/admin/audit-logs', required: 'admin', reason: 'unauthorized' as const }
const from = (ip: string): CommandContext => ({
  actor_id: null,
  actor_role: null,
  ip,
  user_agent: 'probe/1',
  request_id: randomUUID(),
})

t.test(
  'repeats are summed per window, written when the next one begins, at close, or when too many are held',
  async (t) => {
    const db = await openTestDb(t, 'postgres', 4)
    const store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
    t.teardown(() => store.close())
    let now = Date.parse('2030-01-01T10:00:00.000Z')
    const sources = { now: () => new Date(now), uuid: () => randomUUID() }
    const recorder = new AccessDeniedRecorder({ store, sources }, { windowSeconds: WINDOW_MS / 1000, maxTallies: 3 })
    const day = () => store.readStream('security-2030-01-01')

    for (let i = 0; i < 5; i++) await recorder.refused(denial, from('192.0.2.1'), i >= 3)
    t.same(
      (await day()).map((e) => e.type),
      ['AccessDenied'],
      'the first at once, the four after it only counted',
    )

    now += WINDOW_MS
    await recorder.refused(denial, from('192.0.2.1'))
    await recorder.close()
    const events = await day()
    t.same(
      events.map((e) => e.type),
      ['AccessDenied', 'AccessDeniedRepeated', 'AccessDenied'],
      'the next window wrote the last one’s tally and recorded its own first refusal',
    )
    t.match(events[1]!.data, {
      count: 4,
      throttled: 2,
      window_start: '2030-01-01T10:00:00.000Z',
      window_end: '2030-01-01T10:01:00.000Z',
    })
    t.equal(events[1]!.metadata.request_id, null, 'a summary is no one request')

    // more sources than tallies may be held: everything held is written out early
    const early = new AccessDeniedRecorder({ store, sources }, { windowSeconds: WINDOW_MS / 1000, maxTallies: 2 })
    for (const ip of ['192.0.2.2', '192.0.2.3']) {
      await early.refused(denial, from(ip))
      await early.refused(denial, from(ip))
    }
    await early.refused(denial, from('192.0.2.4'))
    await early.close()
    const repeated = (await day()).filter((e) => e.type === 'AccessDeniedRepeated').slice(1)
    t.same(
      // the two tallies are appended concurrently, so the store may hold them in either order
      repeated.map((e) => [e.metadata.ip, (e.data as { count: number }).count]).sort(),
      [
        ['192.0.2.2', 1],
        ['192.0.2.3', 1],
      ],
      'both tallies written when a third source arrived; nothing is lost',
    )
  },
)
