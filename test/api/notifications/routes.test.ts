import t from 'tap'
import { notificationStream } from '../../../src/domain/notifications/events'
import { adminSession, bearer, signup } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { caughtUp, list } from '../../helpers/notifications'

t.test('a member lists, pages, filters and marks read their own notifications only', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const admin = await adminSession(app, runtime)
  const other = await adminSession(app, runtime)
  for (let i = 0; i < 5; i++) await signup(app)
  await caughtUp(runtime)

  const all = await list(app, admin.access_token)
  t.equal(all.items.length, 5)
  t.equal(all.unread_count, 5)
  t.same(
    all.items.map((n) => n.created_at),
    [...all.items.map((n) => n.created_at)].sort().reverse(),
    'newest first',
  )
  t.equal(all.next_cursor, null)

  const seen: string[] = []
  let cursor: string | null = ''
  for (let page = 0; cursor !== null && page < 5; page++) {
    const body = await list(app, admin.access_token, `limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    t.ok(body.items.length <= 2)
    seen.push(...body.items.map((n) => n.id))
    cursor = body.next_cursor
  }
  t.same(
    seen,
    all.items.map((n) => n.id),
    'pages of 2 walk every notification once, in order',
  )

  const [first] = all.items
  const stolen = await app.inject({
    method: 'POST',
    url: `/api/notifications/${first!.id}/read`,
    headers: bearer(other.access_token),
  })
  t.equal(stolen.statusCode, 404, 'another member’s notification is not found')
  t.equal(stolen.json().code, 'not_found')
  const unknown = await app.inject({
    method: 'POST',
    url: `/api/notifications/${runtime.sources.uuid()}/read`,
    headers: bearer(admin.access_token),
  })
  t.equal(unknown.statusCode, 404)
  t.equal((await list(app, admin.access_token)).unread_count, 5, 'a refused read changes nothing')

  const read = await app.inject({
    method: 'POST',
    url: `/api/notifications/${first!.id}/read`,
    headers: bearer(admin.access_token),
  })
  t.equal(read.statusCode, 204)
  const after = await list(app, admin.access_token)
  t.equal(after.unread_count, 4, 'read at once, without waiting for the projection')
  t.ok(after.items.find((n) => n.id === first!.id)!.read_at, 'read_at is set')
  t.same(
    (await list(app, admin.access_token, 'unread=true')).items.map((n) => n.id),
    all.items.slice(1).map((n) => n.id),
    'unread=true: the other four',
  )
  t.same(
    (await list(app, admin.access_token, 'unread=false')).items.map((n) => n.id),
    [first!.id],
    'unread=false: the one read',
  )
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/api/notifications/${first!.id}/read`,
        headers: bearer(admin.access_token),
      })
    ).statusCode,
    204,
    'reading twice is fine',
  )
  const reads = await runtime.store.readStream(notificationStream(admin.user.id))
  t.same(
    reads.map((e) => e.type),
    ['NotificationRead'],
    'one read is one event (the second changed nothing)',
  )
  t.match(reads[0]!.data, { notification_id: first!.id, user_id: admin.user.id })
  t.equal(reads[0]!.metadata.actor_id, admin.user.id)

  t.equal(
    (await app.inject({ method: 'POST', url: '/api/notifications/read-all', headers: bearer(admin.access_token) }))
      .statusCode,
    204,
  )
  const none = await list(app, admin.access_token, 'unread=true')
  t.same(none.items, [])
  t.equal(none.unread_count, 0)
  t.equal((await list(app, other.access_token)).unread_count, 5, 'read-all touches only the caller’s notifications')
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/notifications/read-all', headers: bearer(admin.access_token) }))
      .statusCode,
    204,
    'with nothing unread, still 204',
  )
  t.same(
    (await runtime.store.readStream(notificationStream(admin.user.id))).map((e) => e.type),
    ['NotificationRead', 'NotificationsReadAll'],
  )

  await signup(app)
  await caughtUp(runtime)
  const fresh = await list(app, admin.access_token)
  t.equal(fresh.unread_count, 1, 'what arrives after read-all is unread')
  t.equal(fresh.items[0]!.read_at, null)
  t.ok(fresh.items.slice(1).every((n) => n.read_at !== null))
  // the projection applied the read events too: nothing reverted
  t.equal((await list(app, admin.access_token)).unread_count, 1)
})

t.test('the unread count stays the unread rows while reads race each other and new notices', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const admin = await adminSession(app, runtime)
  for (let i = 0; i < 30; i++) await signup(app)
  await caughtUp(runtime)
  const { items } = await list(app, admin.access_token, 'limit=100')
  t.equal(items.length, 30)
  const read = (id: string) =>
    app.inject({ method: 'POST', url: `/api/notifications/${id}/read`, headers: bearer(admin.access_token) })
  const readAll = () =>
    app.inject({ method: 'POST', url: '/api/notifications/read-all', headers: bearer(admin.access_token) })
  // each notification read twice at once, three read-alls, and ten new signups, all together
  const answers = await Promise.all([
    ...items.flatMap((n) => [read(n.id), read(n.id)]),
    readAll(),
    readAll(),
    readAll(),
    ...Array.from({ length: 10 }, () => signup(app).then(() => ({ statusCode: 204 }))),
  ])
  t.same(new Set(answers.map((a) => a.statusCode)), new Set([204]), 'every read answered 204')
  await caughtUp(runtime)
  const after = await list(app, admin.access_token, 'limit=100')
  const unreadRows = after.items.filter((n) => n.read_at === null).length
  t.equal(after.unread_count, unreadRows, `the count kept: ${after.unread_count}, the rows: ${unreadRows}`)
  t.ok(unreadRows <= 10, 'only what came after the reads may be unread')
  t.equal(after.items.length, 40)
})
