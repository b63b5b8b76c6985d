import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import t from 'tap'
import { SYSTEM_ACTOR } from '../../../src/domain/decider'
import { createAdmin } from '../../../src/commands/identity/bootstrap'
import { login } from '../../../src/commands/identity/login'
import { requestSignup } from '../../../src/commands/identity/signup'
import { ConfigError, loadConfig } from '../../../src/config'
import { DomainError } from '../../../src/domain/decider'
import { normaliseEmail } from '../../../src/domain/identity/email'
import { userIdForEmail, userStream } from '../../../src/domain/identity/user-events'
import type { Runtime } from '../../../src/runtime'
import { PASSWORD, uniqueEmail } from '../../helpers/identity'
import { assertBuilt, CLI } from '../../helpers/processes'
import { TEST_SECRETS, testRuntime } from '../../helpers/runtime'
import { createTestDatabase } from '../../helpers/services'

/** The first admin (README, Command line): there is never a default one, and creating it twice is harmless. */
const ROOT = resolve(__dirname, '../../..')
const ctx = { actor_id: null, actor_role: null, ip: null, user_agent: null, request_id: null }

const typesOf = async (runtime: Runtime, email: string) =>
  (await runtime.store.readStream(userStream(userIdForEmail(normaliseEmail(email)!)))).map((e) => e.type)
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => (err instanceof DomainError ? err.code : err),
  )

// one runtime for the tests that only need fresh emails
const shared = testRuntime(t, { role: 'api', redis: false })

t.test('createAdmin creates an approved admin once; a second call changes nothing', async (t) => {
  const runtime = await shared
  const email = uniqueEmail('root')
  t.equal(await createAdmin(runtime.identity, email, PASSWORD), 'created')
  t.equal(
    await createAdmin(runtime.identity, email.toUpperCase(), 'Another-Horse-8-Battery'),
    'exists',
    'the same email, however spelt',
  )

  const events = await runtime.store.readStream(userStream(userIdForEmail(email)))
  t.same(
    events.map((e) => e.type),
    ['SignupRequested', 'ApprovalDecided'],
  )
  const decided = events[1]!.data as { decision: string; role: string; decided_by: string }
  t.same(
    { decision: decided.decision, role: decided.role, decided_by: decided.decided_by },
    { decision: 'approved', role: 'admin', decided_by: SYSTEM_ACTOR },
  )

  const session = await login(runtime.identity, { email, password: PASSWORD }, ctx)
  t.equal(session.user.role, 'admin', 'the admin can log in with the first password')
  t.equal(
    await refusal(login(runtime.identity, { email, password: 'Another-Horse-8-Battery' }, ctx)),
    'invalid_credentials',
    'the second call did not change the password',
  )
})

t.test('createAdmin run by several processes at once creates one admin and fails none', async (t) => {
  const runtime = await shared
  const email = uniqueEmail('root')
  // every pooled connection open first, so that the five run side by side rather than queue on connection set-up
  await Promise.all(
    Array.from({ length: runtime.config.dbPoolSize }, () => runtime.db.pool.query('SELECT pg_sleep(0.05)')),
  )
  const results = await Promise.allSettled(
    Array.from({ length: 5 }, () => createAdmin(runtime.identity, email, PASSWORD)),
  )
  t.same(
    results.map((r) => r.status),
    Array(5).fill('fulfilled'),
    'no start-up fails',
  )
  const values = results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason))
  t.equal(values.filter((v) => v === 'created').length, 1, 'one created it')
  t.equal(values.filter((v) => v === 'exists').length, 4, 'the others found it')
  t.same(await typesOf(runtime, email), ['SignupRequested', 'ApprovalDecided'])
})

t.test(
  'a bootstrap interrupted between its two steps is finished by the next run, even after the signup expired',
  async (t) => {
    let skewMs = 0
    const sources = { now: () => new Date(Date.now() + skewMs), uuid: () => randomUUID() }
    const runtime = await testRuntime(t, { role: 'api', redis: false, sources })
    // the first step of a bootstrap whose process died before approving
    const email = uniqueEmail('root')
    await requestSignup(runtime.identity, { email, password: PASSWORD, full_name: 'Administrator' }, ctx)
    t.equal(await createAdmin(runtime.identity, email, PASSWORD), 'created')
    t.same(await typesOf(runtime, email), ['SignupRequested', 'ApprovalDecided'])
    t.equal((await login(runtime.identity, { email, password: PASSWORD }, ctx)).user.role, 'admin')

    const late = uniqueEmail('root')
    await requestSignup(runtime.identity, { email: late, password: PASSWORD, full_name: 'Administrator' }, ctx)
    skewMs = runtime.identity.settings.approvalTimeoutMs + 1_000
    t.equal(await createAdmin(runtime.identity, late, PASSWORD), 'created', 'an expired signup is no account')
    t.same(await typesOf(runtime, late), ['SignupRequested', 'ApprovalExpired', 'SignupRequested', 'ApprovalDecided'])
    skewMs = 0

    const squatter = uniqueEmail('squatter')
    await requestSignup(
      runtime.identity,
      { email: squatter, password: 'Stranger-Horse-9-Battery', full_name: 'Someone' },
      ctx,
    )
    t.equal(
      await createAdmin(runtime.identity, squatter, PASSWORD),
      'exists',
      'a pending signup with another password is left alone',
    )
    t.same(await typesOf(runtime, squatter), ['SignupRequested'])
  },
)

t.test('createAdmin refuses a weak password or a bad email, and writes nothing', async (t) => {
  const runtime = await shared
  const email = uniqueEmail('root')
  t.equal(await refusal(createAdmin(runtime.identity, email, 'password1')), 'weak_password')
  t.equal(await refusal(createAdmin(runtime.identity, email, 'Sh0rt!')), 'weak_password')
  t.same(await typesOf(runtime, email), [], 'nothing was written')
  t.equal(await refusal(createAdmin(runtime.identity, 'not-an-email', PASSWORD)), 'invalid_email')
  t.equal(await refusal(createAdmin(runtime.identity, 'root@', PASSWORD)), 'invalid_email')
})

t.test('BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD come together or not at all', async (t) => {
  const base = { NODE_ENV: 'test', ...TEST_SECRETS }
  const emailOnly = (() => {
    try {
      loadConfig({ ...base, BOOTSTRAP_ADMIN_EMAIL: 'root@club.example.org' })
    } catch (err) {
      return err
    }
  })()
  t.ok(emailOnly instanceof ConfigError, 'an email without a password stops the start')
  t.equal((emailOnly as ConfigError).variable, 'BOOTSTRAP_ADMIN_PASSWORD', 'naming the missing variable')
  t.throws(() => loadConfig({ ...base, BOOTSTRAP_ADMIN_PASSWORD: PASSWORD }), {
    name: 'ConfigError',
    variable: 'BOOTSTRAP_ADMIN_EMAIL',
  })
  const both = loadConfig({
    ...base,
    BOOTSTRAP_ADMIN_EMAIL: 'root@club.example.org',
    BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
  })
  t.equal(both.bootstrapAdminEmail, 'root@club.example.org')
  const neither = loadConfig(base)
  t.equal(neither.bootstrapAdminEmail, undefined, 'there is no default admin')
  t.equal(neither.bootstrapAdminPassword, undefined)
})

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function cli(args: string[], env: Record<string, string>, stdin: string | null): Promise<Run> {
  return new Promise((done, fail) => {
    // the built CLI, as `npm run cli` runs it: under the test loader each run compiled TypeScript for seconds
    assertBuilt()
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      // nothing of this process' environment: no REDIS_URL, no DATABASE_URL
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
    if (stdin !== null) child.stdin.write(stdin)
    child.stdin.end()
  })
}

t.test('the create-admin CLI', async (t) => {
  // one database and as few child processes as possible: each one loads the TypeScript sources afresh
  const databaseUrl = await createTestDatabase(t)
  const env = { NODE_ENV: 'test', DATABASE_URL: databaseUrl, ...TEST_SECRETS, BCRYPT_ROUNDS: '4' }
  const email = uniqueEmail('cli')
  const password = 'Cli-Secret-Horse-42'
  const argvEmail = uniqueEmail('cli')
  const argvPassword = 'Argv-Secret-Horse-42'
  const [first, usage, argv] = await Promise.all([
    cli(['create-admin', '--email', email], env, `${password}\n`),
    cli([], env, null),
    cli(['create-admin', '--email', argvEmail, '--password', argvPassword], env, ''),
  ])
  const second = await cli(['create-admin', '--email', email], env, `${password}\n`)
  const runtime = await testRuntime(t, { role: 'api', redis: false, databaseUrl })

  await t.test('creates the first admin with the password read from stdin, once', async (t) => {
    t.equal(first.code, 0, `exit 0 (stderr: ${first.stderr})`)
    t.match(first.stdout, /created/)
    t.notMatch(first.stdout + first.stderr, password, 'the password is never printed')

    t.equal(second.code, 0, 'a second run succeeds')
    t.match(second.stdout, /already exists/)
    t.notMatch(second.stdout, /created/)
    t.notMatch(second.stdout + second.stderr, password)

    t.same(await typesOf(runtime, email), ['SignupRequested', 'ApprovalDecided'], 'one admin in the store')
    t.equal(
      (await login(runtime.identity, { email, password }, ctx)).user.role,
      'admin',
      'who can log in with the stdin password',
    )
  })

  await t.test('takes no password on argv', async (t) => {
    t.equal(usage.code, 2, 'no command: usage')
    t.match(usage.stderr, /create-admin/)
    t.match(usage.stderr, /stdin/, 'the usage says where the password comes from')
    t.notMatch(usage.stdout + usage.stderr, /--password/, 'and never mentions --password')

    t.not(argv.code, 0, '--password on argv with nothing on stdin fails')
    t.notMatch(argv.stdout + argv.stderr, argvPassword, 'without echoing it')
    t.same(await typesOf(runtime, argvEmail), [], 'and creates no account')
  })
})
