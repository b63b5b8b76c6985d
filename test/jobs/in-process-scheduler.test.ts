import t from 'tap'
import { type ExpiryJob, InProcessApprovalScheduler } from '../../src/jobs/approval-timeout'

/**
 * Embedded mode's expiry timer runs the expiry only once the service's clock
 * reads the deadline: a timer that fires before it (a millisecond early, as
 * Node's may, or a clock that reads coarser than the timer) is armed again,
 * since the decider expires nothing early and nothing else would run it
 * before the sweep. The clock here stays behind the timer on purpose.
 */
t.test(
  'a timer that fires before the deadline is armed again, and the expiry runs once, at the deadline',
  async (t) => {
    let clock = 0
    const runs: number[] = []
    const scheduler = new InProcessApprovalScheduler(
      async () => void runs.push(clock),
      () => new Date(clock),
    )
    const job: ExpiryJob = { user_id: 'u', request_id: 'r', expires_at: new Date(30).toISOString() }
    await scheduler.schedule(job)
    clock = 10 // the timer fires after 30 ms of real time; the service's clock reads 10 then
    await new Promise((r) => setTimeout(r, 80))
    t.same(runs, [], 'not run before the clock reads the deadline')
    clock = 30
    await new Promise((r) => setTimeout(r, 80))
    t.same(runs, [30], 'run once the clock reads it, and only once')
    await scheduler.close()
  },
)
