import t from 'tap'
import { notificationsConsumer } from '../../../src/projections/notifications/notifications'
import { resetConsumer } from '../../../src/projections/runner'
import type { Runtime } from '../../../src/runtime'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, member, signup } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { createEvent } from '../../helpers/attendance'
import { caughtUp, list, mark } from '../../helpers/notifications'

async function snapshot(runtime: Runtime) {
  const db = runtime.db.kysely
  return {
    notifications: await db.selectFrom('notifications').selectAll().orderBy('id').execute(),
    admins: await db.selectFrom('notification_admins').selectAll().orderBy('user_id').execute(),
    unread: await db.selectFrom('notification_unread').selectAll().orderBy('user_id').execute(),
  }
}

/** every member's unread rows, counted: what the kept counts must say (0 for a member with none) */
function counted(s: Awaited<ReturnType<typeof snapshot>>) {
  const n = new Map<string, number>(s.unread.map((r) => [r.user_id, 0]))
  for (const r of s.notifications) if (r.read_at === null) n.set(r.user_id, (n.get(r.user_id) ?? 0) + 1)
  return [...n].sort(([a], [b]) => (a < b ? -1 : 1))
}

t.test('a rebuild from position 0 writes identical rows, reads and resume cursors included', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const admin = await adminSession(app, runtime)
  const promoted = await member(app, runtime, admin, 'student')
  await app.inject({
    method: 'POST',
    url: `/api/admin/users/${promoted.user.id}/role`,
    headers: bearer(admin.access_token),
    payload: { role: 'admin' },
  })
  const event = await createEvent(app, admin, { title: 'Rebuild Night' })
  const minute = Math.floor(Date.now() / 60_000) * 60_000
  // one at a time, so the live runner sees small batches and the rebuild one big one
  for (let i = 0; i < 12; i++) {
    await mark(runtime, event.id, new Date(minute + i * 7_000))
    if (i % 4 === 0) await signup(app)
    await caughtUp(runtime)
  }
  const mine = await list(app, admin.access_token, 'limit=100')
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/api/notifications/${mine.items.at(-1)!.id}/read`,
        headers: bearer(admin.access_token),
      })
    ).statusCode,
    204,
  )
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/notifications/read-all', headers: bearer(promoted.access_token) }))
      .statusCode,
    204,
  )
  await caughtUp(runtime)

  const before = await snapshot(runtime)
  t.ok(before.notifications.length >= 8, `${before.notifications.length} notifications to compare`)
  t.ok(
    before.notifications.some((n) => n.read_at !== null),
    'some of them read',
  )
  t.same(
    before.unread.map((r) => [r.user_id, r.unread]),
    counted(before),
    'each unread count kept equals the unread rows',
  )
  t.ok(
    before.notifications.some((n) => n.count > 1),
    'one of them coalesced',
  )

  await resetConsumer(runtime.db.kysely, notificationsConsumer)
  t.same((await snapshot(runtime)).notifications, [], 'emptied')
  await eventually(async () => (await snapshot(runtime)).notifications.length === before.notifications.length)
  await caughtUp(runtime)
  t.same(await snapshot(runtime), before, 'identical rows: ids, texts, counts, seq and read_at')
})
