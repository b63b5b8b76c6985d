import { randomUUID } from 'node:crypto'
import type { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { sql } from 'kysely'
import { HotPathCache } from './commands/attendance/hot-cache'
import { AccessDeniedRecorder } from './commands/audit/access-denied'
import type { MarkDeps } from './commands/attendance/mark'
import type { ClubEventDeps } from './commands/club-events/club-events'
import type { Sources } from './commands/context'
import { type IdentityDeps, identityDeps } from './commands/identity/deps'
import { RevokedSessions } from './commands/identity/revoked-sessions'
import type { NotificationDeps } from './commands/notifications/read'
import type { QrDeps } from './commands/qr/qr-sessions'
import { type ResourceDeps, resourceDeps } from './commands/resources/deps'
import type { Config } from './config'
import { type Db, openDb } from './db/connection'
import { migrateBlobStore, migrateEventStore, migrateReadModel } from './db/migrate'
import { chainKey } from './domain/audit/chain'
import {
  type ApprovalScheduler,
  BullApprovalScheduler,
  InProcessApprovalScheduler,
  approvalTimeoutReactor,
  runExpiry,
  startExpiryWorker,
  startSweep,
} from './jobs/approval-timeout'
import { type Logger, createLogger } from './platform/logger'
import { Metrics } from './platform/metrics'
import { type DependencyState, probe } from './platform/probe'
import { RedisOutage } from './platform/outage'
import {
  FallbackRateLimiter,
  MemoryRateLimiter,
  type RateLimiter,
  RedisRateLimiter,
  noRateLimit,
} from './platform/rate-limiter'
import { connectRequestRedis, patientRedis } from './platform/redis'
import { MemorySessionPositions, RedisSessionPositions, type SessionPositions } from './platform/session-positions'
import { eventChainConsumer } from './projections/audit/event-chain'
import {
  CheckpointAnnouncer,
  listenForCheckpoints,
  listenForWaitingReaders,
  readerWaiting,
} from './projections/checkpoint-announcements'
import { BUILD_WATCH_MS, BuildWatch, buildNoticeMs, buildingNow } from './projections/building'
import { CheckpointBoard } from './projections/checkpoint-board'
import { consumers } from './projections/index'
import { type LeaderLocks, LocalLeaderLocks, PgLeaderLocks } from './projections/leader-lock'
import { ProjectionRunner, loadCheckpoints } from './projections/runner'
import type { EventStore } from './store/event-store'
import { instrumentStore } from './store/instrumented'
import { createEsdbEventStore } from './store/esdb'
import { PostgresEventStore } from './store/postgres/postgres-event-store'
import { SqlBlobStore } from './store/postgres/sql-blob-store'

export type { Sources }
export type Role = 'all' | 'api' | 'projector' | 'worker'

/**
 * The composition root: every shared resource of one process, built once from
 * the validated config and closed in reverse order on shutdown.
 */
export interface Runtime {
  readonly config: Readonly<Config>
  readonly role: Role
  readonly logger: Logger
  readonly metrics: Metrics
  readonly db: Db
  readonly store: EventStore
  /** the request path's client: fails fast, never waits for a reconnection (platform/redis.ts) */
  readonly redis: Redis | undefined
  readonly redisOutage: RedisOutage
  readonly sources: Sources
  /** each feature's command dependencies */
  readonly identity: IdentityDeps
  readonly clubEvents: ClubEventDeps
  readonly qr: QrDeps
  readonly attendance: MarkDeps
  readonly notifications: NotificationDeps
  readonly resources: ResourceDeps
  readonly limiter: RateLimiter
  /** the refusals of routes' access rules, summed up per source, route and window */
  readonly denials: AccessDeniedRecorder
  readonly runners: ProjectionRunner[]
  /** how far every read model has come, as this process knows it (read-your-writes) */
  readonly board: CheckpointBoard
  /** the read models being built from position 0, which the routes that read them wait out (serving roles) */
  readonly builds: BuildWatch | undefined
  /** each signed-in session's last write */
  readonly sessionPositions: SessionPositions
  /** each dependency as this process sees it now (GET /ready) */
  checkDependencies(): Promise<Record<string, DependencyState>>
  close(): Promise<void>
}

export interface RuntimeOverrides {
  logger?: Logger
  sources?: Sources
  /** PGlite in memory instead of under DATA_DIR (tests) */
  inMemory?: boolean
  /** how often idle runners poll. @defaultValue 200 */
  pollIntervalMs?: number
  /** how often a standby runner tries to take the lead. @defaultValue 1000 */
  lockRetryMs?: number
  /** how often a serving process reads which read models are being built; a build waits two of these after marking itself. @defaultValue 1000 */
  buildWatchMs?: number
}

const systemSources: Sources = { now: () => new Date(), uuid: () => randomUUID() }

const runsProjector = (role: Role) => role === 'all' || role === 'projector'
const runsWorker = (role: Role) => role === 'all' || role === 'worker'

export async function createRuntime(
  config: Readonly<Config>,
  role: Role,
  overrides: RuntimeOverrides = {},
): Promise<Runtime> {
  const logger = overrides.logger ?? createLogger(config)
  const sources = overrides.sources ?? systemSources
  const metrics = new Metrics()
  const onDbError = (err: Error) => logger.warn({ err: err.message }, 'database connection error')
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    onError: onDbError,
    inMemory: overrides.inMemory,
  })
  if (!config.eventStoreUrl) await migrateEventStore(db.kysely)
  await migrateReadModel(db.kysely)
  // the bytes of study resources stay in PostgreSQL whichever store holds the events (docs/resources.md)
  await migrateBlobStore(db.kysely)
  // EVENTSTORE_URL moves the events to EventStoreDB; read tables and checkpoints stay in PostgreSQL
  const adapter = config.eventStoreUrl
    ? createEsdbEventStore(config.eventStoreUrl, {
        onError: (err) => logger.warn({ err: err.message }, 'event store connection error'),
      })
    : new PostgresEventStore({ pool: db.pool, notifier: db.notifier, kind: db.kind, onError: onDbError })
  const store = instrumentStore(adapter, metrics)

  const onRedisError = (err: Error) => logger.warn({ err: err.message }, 'redis connection error')
  const redisOutage = new RedisOutage(logger, metrics)
  const redis = config.redisUrl
    ? await connectRequestRedis(config.redisUrl, config.redisCommandTimeoutMs, onRedisError)
    : undefined

  const revocations = new RevokedSessions(store, db.notifier, {
    accessTtlMs: config.accessTokenExpireMinutes * 60_000,
    onError: onDbError,
  })
  if (role === 'all' || role === 'api') await revocations.start()
  const identity = identityDeps(config, { store, sources }, revocations)
  const cache = new HotPathCache(store, { notifier: db.notifier, onError: onDbError })
  if (role === 'all' || role === 'api') await cache.start()
  const qrKeys = { current: config.qrSigningSecret, previous: config.qrSigningSecretPrevious }
  const clubEvents: ClubEventDeps = { store, sources, cache }
  const qr: QrDeps = {
    store,
    sources,
    cache,
    qrKeys,
    qrTtlSeconds: config.qrExpirySeconds,
    qrRotationGraceSeconds: config.qrRotationGraceSeconds,
  }
  // no store: a mark writes only through the guarded appender its route hands it
  const attendance: MarkDeps = { sources, cache, qrKeys }
  const notifications: NotificationDeps = { store, sources, db: db.kysely }
  const resources = resourceDeps(config, { store, sources }, new SqlBlobStore(db.pool))
  const limiter: RateLimiter = !config.rateLimitEnabled
    ? noRateLimit
    : redis
      ? new FallbackRateLimiter(new RedisRateLimiter(redis, config.redisPrefix), new MemoryRateLimiter(), (err) =>
          redisOutage.met('rate_limit', 'fallback', err),
        )
      : new MemoryRateLimiter()

  const denials = new AccessDeniedRecorder(
    { store, sources },
    {
      windowSeconds: config.accessDenied.windowSeconds,
      onError: (err) => logger.warn({ err: err.message }, 'refusal tally not recorded'),
    },
  )

  const expire = runExpiry(identity, logger)
  const now = () => sources.now()
  let scheduler: ApprovalScheduler | undefined
  if (runsProjector(role))
    scheduler = config.redisUrl
      ? new BullApprovalScheduler(patientRedis(config.redisUrl, onRedisError), config.redisPrefix, now, onRedisError)
      : new InProcessApprovalScheduler(expire, now)
  let worker: Worker | undefined
  let stopSweep: (() => void) | undefined
  if (runsWorker(role)) {
    if (config.redisUrl) worker = startExpiryWorker(config.redisUrl, config.redisPrefix, expire, onRedisError)
    stopSweep = startSweep(db.kysely, expire, now, config.approvalSweepSeconds * 1000, logger)
  }

  const board = new CheckpointBoard((a, b) => store.compare(a, b), readerWaiting(db.notifier, onDbError))
  const serves = role === 'all' || role === 'api'
  const unlistenCheckpoints = serves
    ? await listenForCheckpoints(db.notifier, board, () => loadCheckpoints(db.kysely))
    : undefined
  const sessionPositions: SessionPositions =
    serves && redis
      ? RedisSessionPositions.start(redis, {
          prefix: config.redisPrefix,
          onError: (err) => redisOutage.met('session_positions', 'fallback', err),
        })
      : new MemorySessionPositions()
  const announcer = runsProjector(role) ? new CheckpointAnnouncer(db.notifier, { onError: onDbError }) : undefined
  const watchMs = overrides.buildWatchMs ?? BUILD_WATCH_MS
  const builds = serves ? await BuildWatch.start(() => buildingNow(db.kysely), watchMs) : undefined

  const locks: LeaderLocks = db.connectionString ? new PgLeaderLocks(db.connectionString) : new LocalLeaderLocks()
  const runners = runsProjector(role)
    ? consumers([eventChainConsumer(chainKey(config)), ...(scheduler ? [approvalTimeoutReactor(scheduler)] : [])]).map(
        (consumer) =>
          new ProjectionRunner({
            db: db.kysely,
            store,
            consumer,
            locks,
            pollIntervalMs: overrides.pollIntervalMs,
            lockRetryMs: overrides.lockRetryMs,
            buildNoticeMs: buildNoticeMs(watchMs),
            onError: (err, name) => {
              metrics.projectionErrors.inc({ projection: name })
              logger.error({ err, projection: name }, 'projection batch failed; retrying')
            },
            onMissed: (name, missed) => {
              for (const m of missed) metrics.projectionMissedIncrements.inc({ projection: name, table: m.table })
              logger.warn({ projection: name, missed }, 'increments found no row: their counts are missing')
            },
            onApplied: (name, events) => {
              metrics.applied(name, events)
              const at = events[events.length - 1]!.position
              board.advance(name, at)
              announcer?.announce(name, at)
            },
            // this process's own builds are known at once; the other processes' within buildWatchMs
            onBuildChange: () => void builds?.refresh().catch(() => undefined),
          }),
      )
    : []
  for (const r of runners) r.start()
  const unlistenWaiting = runners.length
    ? await listenForWaitingReaders(db.notifier, () => {
        announcer?.demand()
        for (const r of runners) r.expedite()
      })
    : undefined

  return {
    config,
    role,
    logger,
    metrics,
    db,
    store,
    redis,
    redisOutage,
    sources,
    identity,
    clubEvents,
    qr,
    attendance,
    notifications,
    resources,
    limiter,
    denials,
    runners,
    board,
    builds,
    sessionPositions,
    async checkDependencies() {
      const [database, eventStore, redisState] = await Promise.all([
        probe(() => sql`SELECT 1`.execute(db.kysely)),
        probe(() => store.ping()),
        redis ? probe(() => redis.ping()) : Promise.resolve<DependencyState>('not_configured'),
      ])
      return { database, event_store: eventStore, redis: redisState }
    },
    async close() {
      stopSweep?.()
      await cache.stop()
      await revocations.stop()
      await denials.close()
      // Redis may be gone at shutdown: closing what talks to it must not throw
      await worker?.close().catch(() => undefined)
      await Promise.all(runners.map((r) => r.stop()))
      await unlistenWaiting?.()
      await announcer?.close()
      await unlistenCheckpoints?.()
      builds?.stop()
      await sessionPositions.close()
      await scheduler?.close().catch(() => undefined)
      await locks.close()
      await store.close()
      await identity.hasher.close()
      redis?.disconnect()
      await db.close()
    },
  }
}
