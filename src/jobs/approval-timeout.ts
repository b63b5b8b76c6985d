import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import type { Kysely } from 'kysely'
import { SYSTEM_CONTEXT } from '../commands/context'
import { expireApproval } from '../commands/identity/approvals'
import type { IdentityDeps } from '../commands/identity/deps'
import type { Database } from '../db/database'
import type { ApprovalDecided, ApprovalExpired, SignupRequested } from '../domain/identity/user-events'
import { isImported } from '../domain/legacy/plan-types'
import type { Logger } from '../platform/logger'
import { dueForExpiry } from '../projections/identity/approval-requests'
import { type Consumer, type Recorded, handles } from '../projections/projection'
import type { StoredEvent } from '../store/event-store'

export interface ExpiryJob {
  user_id: string
  request_id: string
  expires_at: string
}

/** Schedules the expiry of one approval request; scheduling twice is harmless. */
export interface ApprovalScheduler {
  schedule(job: ExpiryJob): Promise<void>
  close(): Promise<void>
}

export const QUEUE_NAME = 'approval-timeout'

/** BullMQ: a delayed job whose id is the request id, so it exists once. */
export class BullApprovalScheduler implements ApprovalScheduler {
  private readonly queue: Queue
  /** `connection` becomes the scheduler's: closing the scheduler closes it */
  constructor(
    private readonly connection: Redis,
    prefix: string,
    private readonly now: () => Date,
    onError: (err: Error) => void,
  ) {
    this.queue = new Queue(QUEUE_NAME, { connection, prefix })
    // Redis down must not crash the process: the reactor retries the batch
    this.queue.on('error', onError)
  }
  async schedule(job: ExpiryJob): Promise<void> {
    const delay = Math.max(0, Date.parse(job.expires_at) - this.now().getTime())
    await this.queue.add('expire', job, {
      jobId: job.request_id,
      delay,
      removeOnComplete: true,
      removeOnFail: 1000,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    })
  }
  async close(): Promise<void> {
    // BullMQ leaves a connection it was given open
    await this.queue.close().finally(() => this.connection.disconnect())
  }
}

/** Embedded mode: a timer per request in this process; the sweep covers restarts. */
export class InProcessApprovalScheduler implements ApprovalScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>()
  constructor(
    private readonly run: (job: ExpiryJob) => Promise<void>,
    private readonly now: () => Date,
  ) {}
  async schedule(job: ExpiryJob): Promise<void> {
    if (!this.timers.has(job.request_id)) this.arm(job)
  }
  private arm(job: ExpiryJob): void {
    const delay = Math.max(0, Date.parse(job.expires_at) - this.now().getTime())
    const timer = setTimeout(
      () => {
        // a timer may fire a millisecond before the clock reads its deadline (or a long delay was capped),
        // and the decider expires nothing early: run then, and the expiry waited for the sweep
        if (this.now().getTime() < Date.parse(job.expires_at)) return this.arm(job)
        this.timers.delete(job.request_id)
        void this.run(job)
      },
      Math.min(delay, 2 ** 31 - 1),
    )
    timer.unref()
    this.timers.set(job.request_id, timer)
  }
  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
  }
}

/**
 * The reactor: for each SignupRequested, schedule its expiry. It checkpoints
 * like a projection, so a crash between the event and the scheduling loses
 * nothing (the batch is handed over again; the job id makes it idempotent).
 *
 * A request decided or expired later in the same batch is not scheduled: a
 * history read from position 0 (a new deployment, a replayed or seeded one)
 * holds a campus's 100,000 signups, each long past its deadline, and each one
 * scheduled would run an expiry command at once only to be refused. The
 * batch is a window of the feed, so a request decided in the next batch is
 * still scheduled, and its expiry refused as before.
 */
export function approvalTimeoutReactor(scheduler: ApprovalScheduler): Consumer {
  const signups = { canHandle: ['SignupRequested'] as const }
  const ends = { canHandle: ['ApprovalDecided', 'ApprovalExpired'] as const }
  // an imported request was decided or expired in the same import: nothing to wait for
  const due = (e: StoredEvent): e is Recorded<SignupRequested> =>
    handles<SignupRequested>(signups, e) && !isImported(e.metadata)
  return {
    name: 'approval_timeout_scheduler',
    wants: (events) => events.some(due),
    async handle(_trx, events) {
      const ended = new Set(
        events.filter((e) => handles<ApprovalDecided | ApprovalExpired>(ends, e)).map((e) => e.data.request_id),
      )
      for (const e of events) {
        if (!due(e) || ended.has(e.data.request_id)) continue
        const d = e.data
        await scheduler.schedule({ user_id: d.user_id, request_id: d.request_id, expires_at: d.expires_at })
      }
    },
  }
}

export function runExpiry(identity: IdentityDeps, logger: Logger) {
  return async (job: ExpiryJob) => {
    try {
      await expireApproval(identity, job, SYSTEM_CONTEXT)
    } catch (err) {
      logger.error({ err, request_id: job.request_id }, 'approval expiry failed')
      throw err
    }
  }
}

export function startExpiryWorker(
  redisUrl: string,
  prefix: string,
  run: (job: ExpiryJob) => Promise<void>,
  onError: (err: Error) => void,
): Worker {
  // workers block on Redis: they must never give up a command (BullMQ's rule)
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
  connection.on('error', onError)
  const worker = new Worker<ExpiryJob>(QUEUE_NAME, async (job) => run(job.data), { connection, prefix, concurrency: 8 })
  worker.on('error', onError)
  worker.on('closed', () => connection.disconnect())
  return worker
}

/**
 * The reconciliation sweep: expires every pending request past its deadline,
 * whatever the queue knows. It lives in the worker process, not in Redis, so
 * a Redis that lost its data cannot lose the sweep too. Idempotent: several
 * workers sweeping at once append one ApprovalExpired (expected revision).
 */
export function startSweep(
  db: Kysely<Database>,
  run: (job: ExpiryJob) => Promise<void>,
  now: () => Date,
  everyMs: number,
  logger: Logger,
): () => void {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    dueForExpiry(db, now(), 500)
      .then(async (due) => {
        for (const r of due)
          await run({ user_id: r.user_id, request_id: r.id, expires_at: r.expires_at.toISOString() }).catch(
            () => undefined,
          )
      })
      .catch((err: unknown) => logger.warn({ err }, 'approval sweep failed'))
      .finally(() => (running = false))
  }, everyMs)
  timer.unref()
  return () => clearInterval(timer)
}
