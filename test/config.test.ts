import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'
import { ConfigError, type Env, loadConfig } from '../src/config'

/** loadConfig (README, Configuration): validated once; a bad value names its variable. */
const SECRETS = { JWT_SECRET: 'j'.repeat(32), QR_SIGNING_SECRET: 'q'.repeat(32) }
const base: Env = { NODE_ENV: 'test', ...SECRETS }

function configError(env: Env): ConfigError {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`)
}

t.test('the defaults', async (t) => {
  const c = loadConfig(base)
  t.ok(Object.isFrozen(c), 'frozen')
  t.ok(Object.isFrozen(c.rateLimits))
  t.match(c, {
    nodeEnv: 'test',
    port: 8000,
    host: '0.0.0.0',
    databaseUrl: undefined,
    redisUrl: undefined,
    eventStoreUrl: undefined,
    redisPrefix: 'dscp',
    redisCommandTimeoutMs: 250,
    dataDir: resolve('./data'),
    accessTokenExpireMinutes: 15,
    refreshTokenExpireDays: 7,
    qrExpirySeconds: 60,
    approvalTimeoutMinutes: 3,
    bcryptRounds: 12,
    rateLimitEnabled: true,
    refreshReuseGraceSeconds: 10,
    bootstrapAdminEmail: undefined,
    bootstrapAdminPassword: undefined,
    trustProxy: false,
    club: { corsOrigins: [], timezone: 'UTC', eventDefaultDurationMinutes: 120 },
    resources: { maxBytes: 25 * 1024 * 1024, linkTtlSeconds: 300 },
    generatedSecrets: [],
  })
  t.same(c.rateLimits, {
    signupPerIp: 10,
    loginPerIp: 30,
    loginPerEmail: 10,
    loginPerEmailGlobal: 1000,
    refreshPerIp: 60,
    markPerUser: 30,
    windowSeconds: 60,
    loginGlobalWindowSeconds: 3600,
  })
  t.equal(loadConfig({ ...SECRETS }).nodeEnv, 'development', 'NODE_ENV defaults to development')
  t.equal(loadConfig({ ...base, PORT: '' }).port, 8000, 'an empty variable is unset')
})

t.test('values are parsed', async (t) => {
  const c = loadConfig({
    ...base,
    PORT: '8080',
    BCRYPT_ROUNDS: '4',
    APPROVAL_TIMEOUT_MINUTES: '0.05',
    RATE_LIMIT_ENABLED: 'false',
    RATE_LIMIT_LOGIN_PER_EMAIL: '3',
    REFRESH_REUSE_GRACE_SECONDS: '0',
    DATABASE_URL: 'postgres://u@db:5432/club',
    REDIS_URL: 'redis://cache:6379',
  })
  t.equal(c.port, 8080)
  t.equal(c.bcryptRounds, 4)
  t.equal(c.approvalTimeoutMinutes, 0.05, 'decimals allowed: 0.05 minutes is 3 seconds')
  t.equal(c.rateLimitEnabled, false)
  t.equal(c.rateLimits.loginPerEmail, 3)
  t.equal(c.refreshReuseGraceSeconds, 0)
  t.equal(c.databaseUrl, 'postgres://u@db:5432/club')
  t.equal(c.redisUrl, 'redis://cache:6379')
  for (const v of ['true', '1', 'yes', 'ON'])
    t.equal(loadConfig({ ...base, RATE_LIMIT_ENABLED: v }).rateLimitEnabled, true, `RATE_LIMIT_ENABLED=${v}`)
})

t.test('a bad value throws a ConfigError naming the variable', async (t) => {
  const bad: [string, string][] = [
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['PORT', ' '],
    ['BCRYPT_ROUNDS', '3'],
    ['BCRYPT_ROUNDS', '16'],
    ['BCRYPT_ROUNDS', '10.5'],
    ['BCRYPT_ROUNDS', 'twelve'],
    ['APPROVAL_TIMEOUT_MINUTES', '0'],
    ['APPROVAL_TIMEOUT_MINUTES', '-3'],
    ['APPROVAL_TIMEOUT_MINUTES', 'soon'],
    ['APPROVAL_TIMEOUT_MINUTES', 'Infinity'],
    ['RATE_LIMIT_ENABLED', 'maybe'],
    ['RATE_LIMIT_ENABLED', 'disabled'],
    ['RATE_LIMIT_LOGIN_PER_EMAIL', '0'],
    ['RATE_LIMIT_LOGIN_PER_EMAIL_GLOBAL', '0'],
    ['RATE_LIMIT_LOGIN_GLOBAL_WINDOW_SECONDS', '1.5'],
    ['TRUST_PROXY', '1'],
    ['REFRESH_REUSE_GRACE_SECONDS', '-1'],
    ['DATABASE_URL', 'mysql://db/club'],
    ['REDIS_URL', 'not a url'],
    ['REDIS_COMMAND_TIMEOUT_MS', '0'],
    ['REDIS_COMMAND_TIMEOUT_MS', '2.5'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['RESOURCE_MAX_BYTES', '0'],
    ['RESOURCE_MAX_BYTES', String(2 ** 30 + 1)],
    ['RESOURCE_MAX_BYTES', '25MB'],
    ['RESOURCE_LINK_TTL_SECONDS', '5'],
  ]
  for (const [variable, value] of bad) {
    const err = configError({ ...base, [variable]: value })
    t.equal(err.variable, variable, `${variable}=${JSON.stringify(value)} is refused, naming ${variable}`)
  }
})

t.test('production refuses missing, short and shared secrets', async (t) => {
  const prod = { NODE_ENV: 'production', DATA_DIR: t.testdir() }
  t.equal(
    configError({ ...prod, QR_SIGNING_SECRET: SECRETS.QR_SIGNING_SECRET }).variable,
    'JWT_SECRET',
    'no JWT_SECRET',
  )
  t.equal(
    configError({ ...prod, JWT_SECRET: SECRETS.JWT_SECRET }).variable,
    'QR_SIGNING_SECRET',
    'no QR_SIGNING_SECRET',
  )
  t.equal(
    configError({ ...prod, ...SECRETS, JWT_SECRET: 'x'.repeat(31) }).variable,
    'JWT_SECRET',
    'a 31-byte JWT_SECRET',
  )
  t.equal(
    configError({ ...prod, ...SECRETS, QR_SIGNING_SECRET: 'y'.repeat(31) }).variable,
    'QR_SIGNING_SECRET',
    'a 31-byte QR_SIGNING_SECRET',
  )
  t.equal(
    configError({ ...prod, JWT_SECRET: SECRETS.JWT_SECRET, QR_SIGNING_SECRET: SECRETS.JWT_SECRET }).variable,
    'QR_SIGNING_SECRET',
    'the same secret twice',
  )
  const ok = loadConfig({ ...prod, ...SECRETS })
  t.equal(ok.jwtSecret, SECRETS.JWT_SECRET, '32 bytes is enough')
  t.same(ok.generatedSecrets, [])
  t.notOk(existsSync(join(prod.DATA_DIR, 'secrets.json')), 'production never writes secrets')
})

t.test('production ignores secrets a development run left under DATA_DIR', async (t) => {
  const dir = t.testdir()
  loadConfig({ NODE_ENV: 'development', DATA_DIR: dir })
  t.ok(existsSync(join(dir, 'secrets.json')))
  t.equal(configError({ NODE_ENV: 'production', DATA_DIR: dir }).variable, 'JWT_SECRET')
})

t.test('development generates the missing secrets, keeps them under DATA_DIR and reuses them', async (t) => {
  const dir = join(t.testdir(), 'data')
  const first = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir })
  t.same([...first.generatedSecrets].sort(), ['JWT_SECRET', 'QR_SIGNING_SECRET'], 'says which secrets it generated')
  t.ok(Buffer.byteLength(first.jwtSecret) >= 32)
  t.ok(Buffer.byteLength(first.qrSigningSecret) >= 32)
  t.not(first.jwtSecret, first.qrSigningSecret)
  const file = join(dir, 'secrets.json')
  t.equal(statSync(file).mode & 0o777, 0o600, 'readable by the owner only')
  t.same(JSON.parse(readFileSync(file, 'utf8')), {
    JWT_SECRET: first.jwtSecret,
    QR_SIGNING_SECRET: first.qrSigningSecret,
  })

  const second = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir })
  t.equal(second.jwtSecret, first.jwtSecret, 'the same JWT secret on the next start')
  t.equal(second.qrSigningSecret, first.qrSigningSecret, 'the same QR secret on the next start')

  const given = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir, JWT_SECRET: 'g'.repeat(40) })
  t.equal(given.jwtSecret, 'g'.repeat(40), 'a secret that is set wins')
  t.same(given.generatedSecrets, ['QR_SIGNING_SECRET'])
  t.equal(given.qrSigningSecret, first.qrSigningSecret)
})

t.test('a damaged secrets file is regenerated, never half-used', async (t) => {
  const dir = t.testdir({ 'secrets.json': '{not json' })
  const c = loadConfig({ NODE_ENV: 'development', DATA_DIR: dir })
  t.ok(Buffer.byteLength(c.jwtSecret) >= 32)
  t.same(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).JWT_SECRET, c.jwtSecret)
  writeFileSync(
    join(dir, 'secrets.json'),
    JSON.stringify({ JWT_SECRET: 'short', QR_SIGNING_SECRET: c.qrSigningSecret }),
  )
  t.equal(
    configError({ NODE_ENV: 'development', DATA_DIR: dir }).variable,
    'JWT_SECRET',
    'a stored secret is held to the same rules',
  )
})

t.test(
  'HTTP timeouts, refusal tallies and the metrics token: defaults, values, and bounds that contradict each other',
  async (t) => {
    t.same(loadConfig(base).accessDenied, { perIp: 60, windowSeconds: 60 })
    t.same(loadConfig(base).httpTimeouts, {
      requestMs: 30_000,
      headersMs: 10_000,
      keepAliveMs: 72_000,
      connectionMs: 120_000,
    })
    t.same(
      loadConfig({ ...base, REQUEST_TIMEOUT_MS: '5000', KEEP_ALIVE_TIMEOUT_MS: '5000', CONNECTION_TIMEOUT_MS: '60000' })
        .httpTimeouts,
      { requestMs: 5000, headersMs: 5000, keepAliveMs: 5000, connectionMs: 60_000 },
      'headers default to the request bound when that is shorter',
    )
    const bad: [Env, string][] = [
      [{ REQUEST_TIMEOUT_MS: '0' }, 'REQUEST_TIMEOUT_MS'],
      [{ REQUEST_TIMEOUT_MS: 'soon' }, 'REQUEST_TIMEOUT_MS'],
      [{ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '2000' }, 'HEADERS_TIMEOUT_MS'],
      [{ KEEP_ALIVE_TIMEOUT_MS: '-1' }, 'KEEP_ALIVE_TIMEOUT_MS'],
      [{ CONNECTION_TIMEOUT_MS: '15000' }, 'CONNECTION_TIMEOUT_MS'],
      [{ SSE_HEARTBEAT_SECONDS: '60', CONNECTION_TIMEOUT_MS: '30000' }, 'CONNECTION_TIMEOUT_MS'],
      [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
      [{ RATE_LIMIT_DENIED_PER_IP: '0' }, 'RATE_LIMIT_DENIED_PER_IP'],
      [{ AUDIT_DENIED_WINDOW_SECONDS: '0.5' }, 'AUDIT_DENIED_WINDOW_SECONDS'],
    ]
    for (const [env, variable] of bad)
      t.equal(configError({ ...base, ...env }).variable, variable, `${JSON.stringify(env)} names ${variable}`)
  },
)

t.test('one IP alone must never reach the global per-email login ceiling, or it could lock a member out', async (t) => {
  // 10 a minute from one IP over an hour: up to 61 one-minute windows overlap it, 610 attempts
  t.equal(
    configError({ ...base, RATE_LIMIT_LOGIN_PER_EMAIL_GLOBAL: '610' }).variable,
    'RATE_LIMIT_LOGIN_PER_EMAIL_GLOBAL',
  )
  t.equal(loadConfig({ ...base, RATE_LIMIT_LOGIN_PER_EMAIL_GLOBAL: '611' }).rateLimits.loginPerEmailGlobal, 611)
  const err = configError({ ...base, RATE_LIMIT_LOGIN_GLOBAL_WINDOW_SECONDS: '86400' })
  t.equal(err.variable, 'RATE_LIMIT_LOGIN_PER_EMAIL_GLOBAL', 'a longer global window needs a higher ceiling')
  t.match(err.message, /must exceed 14410/)
  const perIp = { ...base, RATE_LIMIT_LOGIN_PER_EMAIL: '100', RATE_LIMIT_LOGIN_PER_IP: '5' }
  t.equal(
    loadConfig({ ...perIp, RATE_LIMIT_LOGIN_PER_EMAIL_GLOBAL: '306' }).rateLimits.loginPerEmail,
    100,
    'the per-IP limit bounds it too',
  )
})

t.test('TRUST_PROXY: true, or the addresses and ranges of the proxies', async (t) => {
  t.equal(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy, true)
  t.same(loadConfig({ ...base, TRUST_PROXY: '10.0.0.2, 172.16.0.0/12' }).trustProxy, ['10.0.0.2', '172.16.0.0/12'])
  t.match(configError({ ...base, TRUST_PROXY: '2' }).message, /not a hop count/, 'fastify would ignore a hop count')
})

t.test(
  "the club client's settings: origins, a time zone, an event's default length, the password policy",
  async (t) => {
    const c = loadConfig({
      ...base,
      CORS_ORIGINS: 'http://localhost:3000, https://club.example.org',
      CLUB_TIMEZONE: 'Asia/Kolkata',
      EVENT_DEFAULT_DURATION_MINUTES: '90',
    })
    t.same(c.club, {
      corsOrigins: ['http://localhost:3000', 'https://club.example.org'],
      timezone: 'Asia/Kolkata',
      eventDefaultDurationMinutes: 90,
      passwordPolicy: 'strong',
    })
    t.same(loadConfig({ ...base, CORS_ORIGINS: '*' }).club.corsOrigins, ['*'])
    t.equal(loadConfig({ ...base, PASSWORD_POLICY: 'club' }).club.passwordPolicy, 'club')
    for (const [env, name] of [
      [{ CORS_ORIGINS: 'http://localhost:3000/app' }, 'CORS_ORIGINS'],
      [{ CORS_ORIGINS: 'localhost:3000' }, 'CORS_ORIGINS'],
      [{ CLUB_TIMEZONE: 'Mars/Olympus' }, 'CLUB_TIMEZONE'],
      [{ EVENT_DEFAULT_DURATION_MINUTES: '0' }, 'EVENT_DEFAULT_DURATION_MINUTES'],
      [{ PASSWORD_POLICY: 'weak' }, 'PASSWORD_POLICY'],
    ] as const)
      t.equal(configError({ ...base, ...env }).variable, name, `${JSON.stringify(env)} is refused`)
  },
)
