import t from 'tap'
import { adminSession, bearer } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { createEvent } from '../../helpers/attendance'
import { caughtUp, list, mark } from '../../helpers/notifications'

const attendanceOf = async (app: Parameters<typeof list>[0], token: string) =>
  (await list(app, token, 'limit=100')).items.filter((n) => n.type === 'attendance_marked')

t.test('100 marks within one minute are ONE notification to the club event’s creator, with count 100', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const creator = await adminSession(app, runtime)
  const otherAdmin = await adminSession(app, runtime)
  const event = await createEvent(app, creator, { title: 'Kaggle Night' })
  const minute = Math.floor(Date.now() / 60_000) * 60_000

  // two waves with a commit between: counts add up within a batch and across batches
  await Promise.all(Array.from({ length: 60 }, (_, i) => mark(runtime, event.id, new Date(minute + i * 100))))
  await caughtUp(runtime)
  await Promise.all(Array.from({ length: 40 }, (_, i) => mark(runtime, event.id, new Date(minute + 30_000 + i * 100))))
  await caughtUp(runtime)

  const [only, ...rest] = await attendanceOf(app, creator.access_token)
  t.same(rest, [], 'one notification for the whole minute')
  t.equal(only!.data.count, 100)
  t.equal(only!.title, '100 members marked attendance at Kaggle Night')
  t.equal(only!.data.club_event_id, event.id)
  t.equal(only!.data.window_start, new Date(minute).toISOString())
  t.equal(only!.created_at, new Date(minute).toISOString(), 'dated by the first mark')
  t.same(await attendanceOf(app, otherAdmin.access_token), [], 'only the creator is told')

  // read at 100; a mark in the next minute is a new notification; a late one in the first minute reopens it
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/api/notifications/${only!.id}/read`,
        headers: bearer(creator.access_token),
      })
    ).statusCode,
    204,
  )
  await mark(runtime, event.id, new Date(minute + 60_000))
  await mark(runtime, event.id, new Date(minute + 59_999))
  await caughtUp(runtime)
  const after = await attendanceOf(app, creator.access_token)
  t.equal(after.length, 2, 'the next minute has its own notification')
  const next = after.find((n) => n.id !== only!.id)!
  t.equal(next.title, '1 member marked attendance at Kaggle Night')
  t.equal(next.data.count, 1)
  const first = after.find((n) => n.id === only!.id)!
  t.equal(first.data.count, 101)
  t.equal(first.read_at, null, 'new marks after it was read make it unread again')
})
