import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { QR_ROTATION_GRACE_SECONDS, QR_TTL_SECONDS } from './domain/qr/decide'
import { type AccessDeniedSettings, type RateLimits, accessDenied, rateLimits } from './config-limits'
import { type ClubSettings, clubSettings } from './config-club'
import { type ResourceSettings, resourceSettings } from './config-resources'
import { ConfigError, type Env, bool, num, secret, str, trustProxy, url } from './env'

export { ConfigError, type Env }
export type { AccessDeniedSettings, ClubSettings, RateLimits }

/** How long the HTTP server waits on a client (docs/architecture.md §8). */
export interface HttpTimeouts {
  /** the whole request, headers and body, must arrive within this (REQUEST_TIMEOUT_MS). @defaultValue 30000 */
  requestMs: number
  /** the request's headers must arrive within this (HEADERS_TIMEOUT_MS; at most requestMs). @defaultValue 10000 */
  headersMs: number
  /** an idle keep-alive connection is closed after this (KEEP_ALIVE_TIMEOUT_MS). @defaultValue 72000 */
  keepAliveMs: number
  /**
   * a socket with no traffic either way is closed after this (CONNECTION_TIMEOUT_MS; above the SSE
   * heartbeat, which keeps an open notification stream busy). @defaultValue 120000
   */
  connectionMs: number
}

export interface Config {
  nodeEnv: 'development' | 'production' | 'test'
  /** the club's frontend proxies to 8000 and its scripts call it. @defaultValue 8000 */
  port: number
  /** @defaultValue '0.0.0.0' */
  host: string
  /** unset → embedded PGlite under dataDir */
  databaseUrl: string | undefined
  /** unset → in-process jobs and in-memory rate limits */
  redisUrl: string | undefined
  /** prefix of every Redis key and BullMQ queue of this deployment. @defaultValue 'dscp' */
  redisPrefix: string
  /**
   * how long a request waits on a Redis command before it does without (REDIS_COMMAND_TIMEOUT_MS): rate limits
   * then count in this process, stream tickets answer 503. @defaultValue 250
   */
  redisCommandTimeoutMs: number
  /** set → EventStoreDB/KurrentDB event store */
  eventStoreUrl: string | undefined
  /** @defaultValue './data' */
  dataDir: string
  jwtSecret: string
  qrSigningSecret: string
  /** accepted for QR verification during a key rotation */
  qrSigningSecretPrevious: string | undefined
  /**
   * key of the audit hash chain (domain/audit/chain.ts). @defaultValue derived from
   * JWT_SECRET — set it before ever rotating JWT_SECRET, or the old chain no longer verifies
   */
  auditChainSecret: string | undefined
  /**
   * the bearer token /metrics asks for (≥ 32 bytes). Unset: /metrics is closed
   * in production and open otherwise
   */
  metricsToken: string | undefined
  /** @defaultValue 15 */
  accessTokenExpireMinutes: number
  /** @defaultValue 7 */
  refreshTokenExpireDays: number
  /** @defaultValue 60 */
  qrExpirySeconds: number
  /**
   * how long a QR code replaced by a rotation (POST /api/admin/qr-sessions/:id/rotate) still marks
   * attendance, within its own lifetime (QR_ROTATION_GRACE_SECONDS, 0–60). @defaultValue 10
   */
  qrRotationGraceSeconds: number
  /** decimals allowed: 0.05 = 3 s. @defaultValue 3 */
  approvalTimeoutMinutes: number
  /** how often the worker sweeps for pending requests past their deadline. @defaultValue 30 */
  approvalSweepSeconds: number
  /** @defaultValue 12 */
  bcryptRounds: number
  /** @defaultValue 10 */
  dbPoolSize: number
  /** how long a request waits for a free PostgreSQL connection before it is a 503 (DB_CONNECT_TIMEOUT_MS). @defaultValue 5000 */
  dbConnectTimeoutMs: number
  /** @defaultValue true */
  rateLimitEnabled: boolean
  rateLimits: RateLimits
  /** @defaultValue 'info' */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** @defaultValue 10 */
  refreshReuseGraceSeconds: number
  bootstrapAdminEmail: string | undefined
  bootstrapAdminPassword: string | undefined
  /** fastify trustProxy: 'true', or a comma list of the proxies' addresses or CIDR ranges. @defaultValue false */
  trustProxy: boolean | string[]
  /** how long SIGTERM waits for in-flight work before closing pools. @defaultValue 5000 */
  shutdownTimeoutMs: number
  /** comment-line interval on open notification streams (SSE_HEARTBEAT_SECONDS; decimals for tests). @defaultValue 15 */
  sseHeartbeatSeconds: number
  /** lifetime of a single-use notification stream ticket (SSE_TICKET_TTL_SECONDS). @defaultValue 30 */
  sseTicketTtlSeconds: number
  /** unused stream tickets a member may hold at once, across every API process (SSE_MAX_TICKETS_PER_USER). @defaultValue 5 */
  sseMaxTicketsPerUser: number
  /** notification streams a member may have open on one API process (SSE_MAX_STREAMS_PER_USER). @defaultValue 5 */
  sseMaxStreamsPerUser: number
  /**
   * how long a read waits for the read models it declares to reach the
   * caller's last write before answering with what they have (and a
   * Consistency-Stale header). @defaultValue 2000
   */
  readYourWritesTimeoutMs: number
  httpTimeouts: HttpTimeouts
  accessDenied: AccessDeniedSettings
  club: ClubSettings
  resources: ResourceSettings
  /** which secrets were generated for development and written under dataDir */
  generatedSecrets: string[]
}

function httpTimeouts(env: Env, sseHeartbeatSeconds: number): Readonly<HttpTimeouts> {
  const ms = (name: string, fallback: number, min: number) =>
    num(env, name, fallback, { min, max: 3_600_000, integer: true })
  const requestMs = ms('REQUEST_TIMEOUT_MS', 30_000, 100)
  const headersMs = ms('HEADERS_TIMEOUT_MS', Math.min(10_000, requestMs), 100)
  if (headersMs > requestMs) throw new ConfigError('HEADERS_TIMEOUT_MS', `must be <= REQUEST_TIMEOUT_MS (${requestMs})`)
  const connectionMs = ms('CONNECTION_TIMEOUT_MS', 120_000, 1000)
  // an open notification stream is busy only once a heartbeat: a shorter bound would cut every quiet one
  if (connectionMs <= sseHeartbeatSeconds * 1000)
    throw new ConfigError('CONNECTION_TIMEOUT_MS', `must exceed SSE_HEARTBEAT_SECONDS (${sseHeartbeatSeconds} s)`)
  return Object.freeze({ requestMs, headersMs, keepAliveMs: ms('KEEP_ALIVE_TIMEOUT_MS', 72_000, 1000), connectionMs })
}

type SecretName = 'JWT_SECRET' | 'QR_SIGNING_SECRET'

/**
 * Development convenience: a missing secret is generated once and kept under
 * DATA_DIR so that tokens survive a restart. Production never does this.
 */
function developmentSecrets(dataDir: string, missing: SecretName[]): Record<string, string> {
  const file = join(dataDir, 'secrets.json')
  let stored: Record<string, string> = {}
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
  } catch {
    stored = {}
  }
  let changed = false
  for (const name of missing) {
    if (!stored[name]) {
      stored[name] = randomBytes(48).toString('base64url')
      changed = true
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 })
  }
  return stored
}

/**
 * With config-limits.ts, config-club.ts and config-resources.ts, the only modules that read the environment (through
 * env.ts). `loadConfig`
 * validates every variable once and returns a frozen object that is passed
 * down; a bad value throws a ConfigError naming the variable, and main.ts
 * turns that into exit 1.
 */
export function loadConfig(env: Env): Readonly<Config> {
  const nodeEnvRaw = str(env, 'NODE_ENV', 'development')
  if (nodeEnvRaw !== 'development' && nodeEnvRaw !== 'production' && nodeEnvRaw !== 'test') {
    throw new ConfigError('NODE_ENV', 'must be development, production or test')
  }
  const nodeEnv = nodeEnvRaw
  const dataDir = resolve(str(env, 'DATA_DIR', './data')!)
  const logLevel = str(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'silent' : 'info')!
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', 'must be one of fatal, error, warn, info, debug, trace, silent')
  }

  const given: Record<SecretName, string | undefined> = {
    JWT_SECRET: str(env, 'JWT_SECRET'),
    QR_SIGNING_SECRET: str(env, 'QR_SIGNING_SECRET'),
  }
  const missing = (Object.keys(given) as SecretName[]).filter((k) => given[k] === undefined)
  const generatedSecrets: string[] = []
  if (missing.length > 0 && nodeEnv !== 'production') {
    const generated = developmentSecrets(dataDir, missing)
    for (const name of missing) {
      given[name] = generated[name]
      generatedSecrets.push(name)
    }
  }
  const jwtSecret = secret('JWT_SECRET', given.JWT_SECRET)
  const qrSigningSecret = secret('QR_SIGNING_SECRET', given.QR_SIGNING_SECRET)
  if (jwtSecret === qrSigningSecret) throw new ConfigError('QR_SIGNING_SECRET', 'must differ from JWT_SECRET')
  const previous = str(env, 'QR_SIGNING_SECRET_PREVIOUS')
  const qrSigningSecretPrevious = previous === undefined ? undefined : secret('QR_SIGNING_SECRET_PREVIOUS', previous)
  const auditChain = str(env, 'AUDIT_CHAIN_SECRET')
  const auditChainSecret = auditChain === undefined ? undefined : secret('AUDIT_CHAIN_SECRET', auditChain)
  const metrics = str(env, 'METRICS_TOKEN')
  const metricsToken = metrics === undefined ? undefined : secret('METRICS_TOKEN', metrics)

  const bootstrapAdminEmail = str(env, 'BOOTSTRAP_ADMIN_EMAIL')
  const bootstrapAdminPassword = str(env, 'BOOTSTRAP_ADMIN_PASSWORD')
  if ((bootstrapAdminEmail === undefined) !== (bootstrapAdminPassword === undefined)) {
    throw new ConfigError(
      bootstrapAdminEmail ? 'BOOTSTRAP_ADMIN_PASSWORD' : 'BOOTSTRAP_ADMIN_EMAIL',
      'set both BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD, or neither',
    )
  }

  const redisPrefix = str(env, 'REDIS_PREFIX', 'dscp')!
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(redisPrefix))
    throw new ConfigError('REDIS_PREFIX', 'letters, digits, _ . - only (1-64)')

  const sseHeartbeatSeconds = num(env, 'SSE_HEARTBEAT_SECONDS', 15, { min: 0.05, max: 300 })

  return Object.freeze({
    nodeEnv,
    port: num(env, 'PORT', 8000, { min: 0, max: 65535, integer: true }),
    host: str(env, 'HOST', '0.0.0.0')!,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix,
    redisCommandTimeoutMs: num(env, 'REDIS_COMMAND_TIMEOUT_MS', 250, { min: 10, max: 10_000, integer: true }),
    eventStoreUrl: url(env, 'EVENTSTORE_URL', [
      'esdb:',
      'esdb+discover:',
      'kurrentdb:',
      'kurrentdb+discover:',
      'kurrent:',
      'kurrent+discover:',
    ]),
    dataDir,
    jwtSecret,
    qrSigningSecret,
    qrSigningSecretPrevious,
    auditChainSecret,
    metricsToken,
    accessTokenExpireMinutes: num(env, 'ACCESS_TOKEN_EXPIRE_MINUTES', 15, { min: 1, max: 24 * 60 }),
    refreshTokenExpireDays: num(env, 'REFRESH_TOKEN_EXPIRE_DAYS', 7, { min: 0.001, max: 90 }),
    // the bounds a QR session accepts: below them every QR issued without ttl_seconds would be a 400
    qrExpirySeconds: num(env, 'QR_EXPIRY_SECONDS', 60, {
      min: QR_TTL_SECONDS.min,
      max: QR_TTL_SECONDS.max,
      integer: true,
    }),
    qrRotationGraceSeconds: num(env, 'QR_ROTATION_GRACE_SECONDS', 10, {
      min: QR_ROTATION_GRACE_SECONDS.min,
      max: QR_ROTATION_GRACE_SECONDS.max,
      integer: true,
    }),
    approvalTimeoutMinutes: num(env, 'APPROVAL_TIMEOUT_MINUTES', 3, { min: 0.001, max: 60 * 24 * 30 }),
    approvalSweepSeconds: num(env, 'APPROVAL_SWEEP_SECONDS', 30, { min: 0.05, max: 3600 }),
    bcryptRounds: num(env, 'BCRYPT_ROUNDS', 12, { min: 4, max: 15, integer: true }),
    dbPoolSize: num(env, 'DB_POOL_SIZE', 10, { min: 1, max: 200, integer: true }),
    dbConnectTimeoutMs: num(env, 'DB_CONNECT_TIMEOUT_MS', 5000, { min: 100, max: 120_000, integer: true }),
    rateLimitEnabled: bool(env, 'RATE_LIMIT_ENABLED', true),
    rateLimits: rateLimits(env),
    logLevel: logLevel as Config['logLevel'],
    refreshReuseGraceSeconds: num(env, 'REFRESH_REUSE_GRACE_SECONDS', 10, { min: 0, max: 300 }),
    bootstrapAdminEmail,
    bootstrapAdminPassword,
    trustProxy: trustProxy(env),
    shutdownTimeoutMs: num(env, 'SHUTDOWN_TIMEOUT_MS', 5000, { min: 100, max: 60000, integer: true }),
    sseHeartbeatSeconds,
    sseTicketTtlSeconds: num(env, 'SSE_TICKET_TTL_SECONDS', 30, { min: 1, max: 300, integer: true }),
    sseMaxTicketsPerUser: num(env, 'SSE_MAX_TICKETS_PER_USER', 5, { min: 1, max: 1000, integer: true }),
    sseMaxStreamsPerUser: num(env, 'SSE_MAX_STREAMS_PER_USER', 5, { min: 1, max: 1000, integer: true }),
    readYourWritesTimeoutMs: num(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 2000, { min: 0, max: 60_000, integer: true }),
    httpTimeouts: httpTimeouts(env, sseHeartbeatSeconds),
    accessDenied: accessDenied(env),
    club: clubSettings(env),
    resources: resourceSettings(env),
    generatedSecrets,
  })
}
