import { ConfigError, loadConfig } from './config'
import { buildApp } from './api/app'
import { createAdmin } from './commands/identity/bootstrap'
import { createLogger } from './platform/logger'
import { type Role, createRuntime } from './runtime'

const ROLES: Role[] = ['all', 'api', 'projector', 'worker']

/**
 * `node dist/main.js all|api|projector|worker`. Every role serves /health,
 * /ready and /metrics; only `all` and `api` serve the /api routes.
 */
async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as Role
  if (!ROLES.includes(role)) {
    console.error(`usage: main.js ${ROLES.join('|')}`)
    process.exit(2)
  }
  let config
  try {
    config = loadConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`)
      process.exit(1)
    }
    throw err
  }
  const logger = createLogger(config)
  if (config.generatedSecrets.length) {
    logger.warn(
      { secrets: config.generatedSecrets, dir: config.dataDir },
      'development secrets generated and kept under DATA_DIR; set them explicitly in production',
    )
  }
  if (config.nodeEnv === 'production' && !config.metricsToken)
    logger.warn('METRICS_TOKEN is unset: /metrics answers nobody; set it to scrape this process')
  const runtime = await createRuntime(config, role, { logger })
  if (config.bootstrapAdminEmail && config.bootstrapAdminPassword && (role === 'all' || role === 'api')) {
    const result = await createAdmin(runtime.identity, config.bootstrapAdminEmail, config.bootstrapAdminPassword)
    logger.info({ result }, 'bootstrap admin')
  }
  const app = await buildApp(runtime, { routes: role === 'all' || role === 'api' ? 'all' : 'ops' })

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    // whatever happens, the process is gone within the shutdown budget
    setTimeout(() => {
      logger.error('shutdown took too long; exiting')
      process.exit(1)
    }, config.shutdownTimeoutMs).unref()
    app
      .close()
      .then(() => runtime.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed')
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))

  // a hall of phones connects at once: keep a deep accept queue rather than reset them
  await app.listen({ port: config.port, host: config.host, backlog: 4096 })
  logger.info({ role, store: runtime.store.kind, jobs: config.redisUrl ? 'bullmq' : 'in-process' }, 'started')
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
