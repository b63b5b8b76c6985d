import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'

/**
 * The deployment files: always a check of their text (no YAML parser among
 * our dependencies), and `docker compose config` (which needs no engine)
 * wherever the compose plugin is installed.
 */
const root = resolve(__dirname, '../..')
const composeFile = join(root, 'infra/docker-compose.yml')
const compose = readFileSync(composeFile, 'utf8')
const APP_SERVICES = {
  'api-1': 'api',
  'api-2': 'api',
  'projector-1': 'projector',
  'projector-2': 'projector',
  worker: 'worker',
}
const INFRA_SERVICES = ['postgres', 'redis', 'kurrentdb']

/** The lines of the YAML mapping entry `key:` at `indent` spaces, up to the next entry at that depth or shallower. */
function block(text: string, key: string, indent: number): string {
  const lines = text.split('\n')
  const start = lines.findIndex(
    (l) => l === `${' '.repeat(indent)}${key}:` || l.startsWith(`${' '.repeat(indent)}${key}: `),
  )
  if (start < 0) return ''
  const out = [lines[start]!]
  for (const line of lines.slice(start + 1)) {
    const depth = line.length - line.trimStart().length
    if (line.trim() !== '' && !line.trimStart().startsWith('#') && depth <= indent) break
    out.push(line)
  }
  return out.join('\n')
}

t.test('the five app services run their role on the shared app definition', async (t) => {
  const services = block(compose, 'services', 0)
  for (const [name, role] of Object.entries(APP_SERVICES)) {
    const svc = block(services, name, 2)
    t.ok(svc, `${name} is a service`)
    t.match(svc, /<<: \*app/, `${name} uses the shared app definition`)
    t.match(
      svc,
      new RegExp(`command: \\["node", "dist/main.js", "${role}"\\]`),
      `${name} runs node dist/main.js ${role}`,
    )
  }
})

t.test(
  'the app definition sets NODE_ENV=production, a health check, and takes secrets only from the environment',
  async (t) => {
    const app = block(compose, 'x-app', 0)
    t.match(app, /^x-app: &app$/m)
    t.match(app, /^ {4}NODE_ENV: production$/m)
    t.match(block(app, 'healthcheck', 2), /127\.0\.0\.1:3000\/health/)
    for (const secret of ['JWT_SECRET', 'QR_SIGNING_SECRET'])
      t.match(app, new RegExp(`^ {4}${secret}: \\$\\{${secret}:\\?`, 'm'), `${secret} must be provided`)
    t.match(app, /DATABASE_URL: postgres:\/\/\$\{POSTGRES_USER:-dscp\}:\$\{POSTGRES_PASSWORD:\?/)
    t.notMatch(compose, /(SECRET|PASSWORD): ["']?[A-Za-z0-9+/=_-]{8,}["']?$/m, 'no literal secret anywhere')
  },
)

t.test('PostgreSQL, Redis (with persistence) and KurrentDB have health checks', async (t) => {
  const services = block(compose, 'services', 0)
  for (const name of INFRA_SERVICES)
    t.match(block(block(services, name, 2), 'healthcheck', 4), /test:/, `${name} has a health check`)
  t.match(block(services, 'redis', 2), /"--appendonly", "yes"/)
  t.match(block(services, 'kurrentdb', 2), /KURRENTDB_INSECURE: "true"/)
  t.notMatch(block(services, 'kurrentdb', 2), /ports:/, 'the insecure node is not published')
})

t.test('every third-party image is pinned to a release, never :latest or untagged', async (t) => {
  const images = [...compose.matchAll(/^ {4}image: (.+)$/gm)].map((m) => m[1]!.replace(/^\$\{[A-Z_]+:-(.+)\}$/, '$1'))
  const thirdParty = images.filter((i) => !i.startsWith('dscp-backend'))
  t.equal(thirdParty.length, INFRA_SERVICES.length, `postgres, redis and kurrentdb images (${thirdParty.join(', ')})`)
  for (const image of thirdParty) t.match(image, /^[\w./-]+:\d+(\.\d+)*$/, `${image} names a version`)
})

t.test(
  'the Dockerfile builds in its own stage and runs only production dependencies, as a non-root user',
  async (t) => {
    const dockerfile = readFileSync(join(root, 'infra/Dockerfile'), 'utf8')
    t.equal(dockerfile.match(/^FROM /gm)?.length, 2, 'two stages')
    t.match(dockerfile, /^RUN npm ci --omit=dev/m)
    t.match(dockerfile, /^COPY --from=build \/app\/dist \.\/dist$/m)
    t.match(dockerfile, /^USER node$/m)
    t.match(dockerfile, /^HEALTHCHECK /m)
    // the young generation `npm start` gives the service (docs/operations.md, "Memory")
    const startFlags = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start
      .split(' ')
      .filter((a) => a.startsWith('--'))
    t.same(startFlags, ['--max-semi-space-size=64'], 'npm start sizes the young generation')
    t.match(
      dockerfile,
      new RegExp(`^\\s+NODE_OPTIONS=${startFlags.join(' ')} \\\\$`, 'm'),
      'and so does the image, for every role',
    )
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n')
    for (const entry of ['node_modules', '.git', 'data', '.env'])
      t.ok(ignored.includes(entry), `.dockerignore lists ${entry}`)
  },
)

const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' })
const noPlugin =
  probe.status === 0
    ? false
    : `the docker compose plugin is not installed (${(probe.error?.message ?? probe.stderr ?? '').trim().split('\n')[0]})`

function render(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'dscp-compose-'))
  const envFile = join(dir, 'empty.env') // so that a local infra/.env cannot change the outcome
  writeFileSync(envFile, '')
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/SECRET|PASSWORD|EVENTSTORE_URL|^POSTGRES_/.test(k)),
  )
  try {
    return spawnSync('docker', ['compose', '--env-file', envFile, '-f', composeFile, 'config', '--format', 'json'], {
      encoding: 'utf8',
      env: { ...base, ...env },
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const secrets = { JWT_SECRET: 'j'.repeat(48), QR_SIGNING_SECRET: 'q'.repeat(48), POSTGRES_PASSWORD: 'p'.repeat(24) }
const rendered = noPlugin ? undefined : render(secrets)
const needsEngine = rendered && rendered.status !== 0 && /daemon|engine/i.test(rendered.stderr)
const skip =
  noPlugin ||
  (needsEngine ? `docker compose config needs a Docker engine here (${rendered.stderr.trim().split('\n')[0]})` : false)

t.test('docker compose config renders the stack', { skip }, async (t) => {
  t.equal(rendered!.status, 0, rendered!.stderr)
  const config = JSON.parse(rendered!.stdout) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string>; healthcheck?: unknown }>
  }
  for (const [name, role] of Object.entries(APP_SERVICES)) {
    const svc = config.services[name]
    t.same(svc?.command, ['node', 'dist/main.js', role], `${name} runs ${role}`)
    t.equal(svc?.environment?.NODE_ENV, 'production')
    t.equal(svc?.environment?.JWT_SECRET, secrets.JWT_SECRET, 'secrets come from the environment')
  }
  for (const name of [...Object.keys(APP_SERVICES), ...INFRA_SERVICES])
    t.ok(config.services[name]?.healthcheck, `${name} has a health check`)

  const missing = render({ QR_SIGNING_SECRET: secrets.QR_SIGNING_SECRET, POSTGRES_PASSWORD: secrets.POSTGRES_PASSWORD })
  t.not(missing.status, 0, 'refuses to render without JWT_SECRET')
  t.match(missing.stderr, /JWT_SECRET/)
})
