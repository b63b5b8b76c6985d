import { randomUUID } from 'node:crypto'
import t from 'tap'
import { approvalTimeoutReactor, type ExpiryJob, InProcessApprovalScheduler } from '../../src/jobs/approval-timeout'
import type { StoredEvent } from '../../src/store/event-store'

/**
 * The approval-timeout reactor schedules an expiry for each signup the feed
 * hands it, except a request that ends (decided or expired) later in the same
 * batch: a history read from position 0 is all such pairs, and scheduling
 * each would run one refused expiry command per past signup.
 */

let position = 0
function recorded(type: string, data: Record<string, unknown>, metadata: Record<string, unknown> = {}): StoredEvent {
  position++
  return {
    id: randomUUID(),
    stream: `user-${String(data.user_id)}`,
    revision: 0n,
    position: String(position),
    recorded_at: new Date(),
    type,
    data,
    metadata,
  }
}

const request = () => ({ user_id: randomUUID(), request_id: randomUUID() })
const signup = (r: { user_id: string; request_id: string }, metadata?: Record<string, unknown>) =>
  recorded('SignupRequested', { ...r, expires_at: new Date(0).toISOString() }, metadata)
const decided = (r: { user_id: string; request_id: string }) =>
  recorded('ApprovalDecided', { ...r, decision: 'approved' })
const expired = (r: { user_id: string; request_id: string }) => recorded('ApprovalExpired', r)

/** the reactor over embedded mode's scheduler; `ran` lists the requests whose expiry ran */
function reactor() {
  const ran: string[] = []
  const scheduler = new InProcessApprovalScheduler(
    async (job: ExpiryJob) => void ran.push(job.request_id),
    () => new Date(),
  )
  t.teardown(() => scheduler.close())
  const consumer = approvalTimeoutReactor(scheduler)
  return {
    ran,
    handle: async (events: StoredEvent[]) => {
      await consumer.handle(undefined as never, events)
      await new Promise((r) => setTimeout(r, 20)) // a past deadline's timer fires at once
    },
  }
}

t.test('a request that ends later in the same batch is not scheduled; one still pending is', async (t) => {
  const { ran, handle } = reactor()
  const [approved, lapsed, pending, later] = [request(), request(), request(), request()]
  await handle([signup(approved), signup(lapsed), decided(approved), signup(pending), expired(lapsed), signup(later)])
  t.same(ran.sort(), [pending.request_id, later.request_id].sort(), 'only the two left pending in the batch')
  await handle([decided(later)])
  t.equal(ran.length, 2, 'a decision in a later batch schedules nothing more')
})

t.test('a decision of another request in the batch does not hide a pending signup', async (t) => {
  const { ran, handle } = reactor()
  const [one, other] = [request(), request()]
  await handle([signup(one), decided({ ...other, user_id: one.user_id })])
  t.same(ran, [one.request_id])
})

t.test('an imported signup is never scheduled', async (t) => {
  const { ran, handle } = reactor()
  await handle([signup(request(), { legacy: { table: 'users', id: 1 } })])
  t.same(ran, [])
})

t.test('a history of 1,000 signups each decided just after: no expiry runs, in batches of 500', async (t) => {
  const { ran, handle } = reactor()
  const history = Array.from({ length: 1_000 }, () => request()).flatMap((r) => [signup(r), decided(r)])
  for (let i = 0; i < history.length; i += 500) await handle(history.slice(i, i + 500))
  t.same(ran, [], 'every pair in one batch')
})
