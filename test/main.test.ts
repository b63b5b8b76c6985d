import t from 'tap'
import { startProcess, whenUp } from './helpers/processes'
import { createTestDatabase } from './helpers/services'

/** The real entry point in a child process: roles, readiness, SIGTERM. */
const start = (env: Record<string, string>, role = 'all') => startProcess(role, env)

t.test('embedded mode: no DATABASE_URL or REDIS_URL, /health answers and SIGTERM exits within 5 s', async (t) => {
  const dir = t.testdir()
  const p = start({ DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '' })
  t.teardown(() => p.child.kill('SIGKILL'))
  await whenUp(p, '/health', 60_000)
  t.equal((await fetch(`${p.base}/health`)).status, 200)
  const ready = (await (await fetch(`${p.base}/ready`)).json()) as { dependencies: unknown }
  t.same(ready.dependencies, { database: 'up', event_store: 'up', redis: 'not_configured' })
  const t0 = Date.now()
  p.child.kill('SIGTERM')
  t.equal(await p.exited, 0, 'clean exit')
  t.ok(Date.now() - t0 < 5000, `exited in ${Date.now() - t0} ms`)
})

t.test('projector and worker roles serve only the ops routes', async (t) => {
  let stop = async () => undefined as unknown
  const url = await createTestDatabase(t, async () => stop())
  const p = start({ DATABASE_URL: url, REDIS_URL: '' }, 'projector')
  stop = async () => {
    p.child.kill('SIGKILL')
    await p.exited
  }
  await whenUp(p, '/health', 60_000)
  t.equal((await fetch(`${p.base}/health`)).status, 200)
  t.equal((await fetch(`${p.base}/api/auth/me`)).status, 404)
  t.match(await (await fetch(`${p.base}/metrics`)).text(), /projection_|process_cpu/)
})

t.test('a bad configuration value stops the process with a message naming the variable', async (t) => {
  const p = start({ PORT: 'not-a-port', DATA_DIR: t.testdir() })
  t.equal(await p.exited, 1)
  t.match(p.output(), /PORT/)
})

t.test('production refuses to start without secrets', async (t) => {
  const p = start({ NODE_ENV: 'production', JWT_SECRET: '', DATA_DIR: t.testdir() })
  t.equal(await p.exited, 1)
  t.match(p.output(), /JWT_SECRET/)
})
