import t from 'tap'
import { projectionConsumer } from '../../../src/projections/apply'
import { buildNoticeMs, markBuilding, markBuilt } from '../../../src/projections/building'
import { clubEventsProjection } from '../../../src/projections/club-events/club-events'
import { resetConsumer } from '../../../src/projections/runner'
import { createEvent } from '../../helpers/attendance'
import { adminSession, bearer, member } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'

/**
 * A read model being built from position 0 holds part of the history: the
 * routes that read it answer 503 `read_model_building` until it is whole,
 * never a partial list (projections/building.ts).
 */

t.test('while a read model builds, its routes answer 503 with a code, and the others answer as ever', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  const student = await member(app, runtime, admin)
  await createEvent(app, admin, { title: 'Before the build' })
  await markBuilding(runtime.db.kysely, 'club_events', 0)
  await runtime.builds!.refresh()

  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      app.inject({ method: 'GET', url: '/api/events', headers: bearer((i % 2 ? admin : student).access_token) }),
    ),
  )
  t.same([...new Set(answers.map((r) => r.statusCode))], [503], 'all 50 at once: 503')
  const first = answers[0]!
  t.match(first.json(), {
    code: 'read_model_building',
    building: ['club_events'],
    detail: /club_events/,
  })
  t.equal(first.headers['retry-after'], '5')

  const inbox = await app.inject({ method: 'GET', url: '/api/notifications', headers: bearer(student.access_token) })
  t.equal(inbox.statusCode, 200, 'a route that reads other read models answers')
  const created = await app.inject({
    method: 'POST',
    url: '/api/admin/events',
    headers: bearer(admin.access_token),
    payload: { title: 'During the build', starts_at: new Date(Date.now() + 3_600_000).toISOString() },
  })
  t.equal(created.statusCode, 201, 'writes go on: they append to the store, which is whole')

  await markBuilt(runtime.db.kysely, 'club_events')
  await runtime.builds!.refresh()
  const after = await app.inject({ method: 'GET', url: '/api/events', headers: bearer(admin.access_token) })
  t.equal(after.statusCode, 200)
  t.same(
    (after.json() as { title: string }[]).map((e) => e.title).sort(),
    ['Before the build', 'During the build'],
    'whole again, the write made during the build included',
  )
})

t.test('readers racing a rebuild from position 0 get the whole list or a 503, never part of it', async (t) => {
  const { app, runtime } = await testApp(t)
  const admin = await adminSession(app, runtime)
  const N = 40
  for (let i = 0; i < N; i++) await createEvent(app, admin, { title: `Event ${i}` })
  const seen = { whole: 0, building: 0, partial: 0, other: 0 }
  let resetting = true
  const reader = async () => {
    while (resetting) {
      const res = await app.inject({ method: 'GET', url: '/api/events', headers: bearer(admin.access_token) })
      if (res.statusCode === 503) seen.building++
      else if (res.statusCode !== 200) seen.other++
      else if ((res.json() as unknown[]).length === N) seen.whole++
      else seen.partial++
    }
  }
  const readers = Array.from({ length: 25 }, reader)
  // the runner of this runtime notices the reset and replays the feed; the watch reads every 50 ms here, and
  // the reset waits a second after its mark (not 100 ms) so that readers on a loaded machine meet the mark too
  await resetConsumer(runtime.db.kysely, projectionConsumer(clubEventsProjection), buildNoticeMs(500))
  const rebuilt = Date.now()
  while (Date.now() - rebuilt < 2_000) {
    const done = await runtime.db.kysely
      .selectFrom('projection_checkpoints')
      .select('building_since')
      .where('name', '=', 'club_events')
      .executeTakeFirstOrThrow()
    if (done.building_since === null) break
    await new Promise((r) => setTimeout(r, 20))
  }
  await new Promise((r) => setTimeout(r, 200))
  resetting = false
  await Promise.all(readers)
  t.equal(seen.partial, 0, `never part of the list (${JSON.stringify(seen)})`)
  t.equal(seen.other, 0)
  t.ok(seen.building > 0, 'turned away while it was being built')
  t.ok(seen.whole > 0, 'the whole list before and after')
  const last = await app.inject({ method: 'GET', url: '/api/events', headers: bearer(admin.access_token) })
  t.equal((last.json() as unknown[]).length, N, 'whole once built')
})
