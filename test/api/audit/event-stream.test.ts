import { randomUUID } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { exportEvents } from '../../../src/platform/cli/events-export'
import { adminSession, bearer } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { seedEvents } from '../../helpers/audit'

/** The auditor feed: NDJSON in global order, paged with after=, the same lines as the CLI export. */
t.test('the event stream pages through every stored event in global order', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  const events = await seedEvents(runtime, 7)
  const get = (query: string) =>
    app.inject({ method: 'GET', url: `/api/admin/event-stream${query}`, headers: bearer(admin.access_token) })

  const lines: string[] = []
  let after = ''
  let pages = 0
  for (;;) {
    const res = await get(`?limit=3${after ? `&after=${encodeURIComponent(after)}` : ''}`)
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^application\/x-ndjson/)
    const page = res.body.split('\n')
    t.equal(page.pop(), '', 'every line ends with a newline')
    if (page.length === 0) {
      t.equal(res.headers['x-next-after'], after, 'caught up: the same position comes back')
      break
    }
    t.ok(page.length <= 3, 'at most limit lines')
    after = JSON.parse(page[page.length - 1]!).position
    t.equal(res.headers['x-next-after'], after, 'x-next-after is the last line’s position')
    lines.push(...page)
    pages++
  }
  t.equal(pages, Math.ceil(events.length / 3))
  const parsed = lines.map((l) => JSON.parse(l))
  t.same(
    parsed.map((e) => e.position),
    events.map((e) => e.position),
    'every event once, in global order',
  )
  const probe = parsed.find((e) => e.type === 'ProbeRecorded')
  const stored = events.find((e) => e.id === probe.id)!
  t.same(
    probe,
    {
      position: stored.position,
      id: stored.id,
      stream: stored.stream,
      revision: String(stored.revision),
      type: 'ProbeRecorded',
      data: stored.data,
      metadata: stored.metadata,
      recorded_at: stored.recorded_at.toISOString(),
    },
    'one line is the stored event',
  )
  const signup = parsed.find((e) => e.type === 'SignupRequested')
  t.equal(signup.data.password_hash, '[redacted]')
  t.equal(signup.data.email, admin.user.email)

  const file = join(tmpdir(), `events-${randomUUID()}.ndjson`)
  t.teardown(() => rm(file, { force: true }))
  t.same(await exportEvents(runtime.store, file), { count: events.length, last: events[events.length - 1]!.position })
  t.equal(await readFile(file, 'utf8'), `${lines.join('\n')}\n`, 'the CLI export writes the same lines')
  t.same(await exportEvents(runtime.store, file, events[4]!.position), {
    count: events.length - 5,
    last: events[events.length - 1]!.position,
  })
  t.equal(await readFile(file, 'utf8'), `${lines.slice(5).join('\n')}\n`, '--after resumes after that position')

  const bad = await get('?after=12:abc')
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'validation_error')
  const foreign = await get('?after=esdb:1:2')
  t.same([foreign.statusCode, foreign.json().code], [400, 'validation_error'], 'a position of another store is refused')
})
