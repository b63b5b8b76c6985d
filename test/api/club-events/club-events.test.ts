import { randomUUID } from 'node:crypto'
import t from 'tap'
import { clubEventStream } from '../../../src/domain/club-events/events'
import { projectionConsumer } from '../../../src/projections/apply'
import { clubEventsProjection } from '../../../src/projections/club-events/club-events'
import { notificationsConsumer } from '../../../src/projections/notifications/notifications'
import { resetConsumer } from '../../../src/projections/runner'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, member } from '../../helpers/identity'
import { arrived, caughtUp, list } from '../../helpers/notifications'
import { testApp } from '../../helpers/runtime'
import { type ClubEventBody, createEvent, inHours, issueQr, mark } from '../../helpers/attendance'

/**
 * Club events over HTTP: admins create, edit and soft-delete them; members
 * read them from the projection. One app for the file; every subtest makes
 * its own events.
 */
t.test('club events', async (t) => {
  const { app, runtime } = await testApp(t)
  const db = runtime.db.kysely
  const admin = await adminSession(app, runtime)
  const student = await member(app, runtime, admin)
  const asAdmin = bearer(admin.access_token)
  const asStudent = bearer(student.access_token)

  const get = (id: string, headers = asStudent) => app.inject({ method: 'GET', url: `/api/events/${id}`, headers })
  const patch = (id: string, payload: unknown) =>
    app.inject({ method: 'PATCH', url: `/api/admin/events/${id}`, headers: asAdmin, payload: payload as object })
  const remove = (id: string) => app.inject({ method: 'DELETE', url: `/api/admin/events/${id}`, headers: asAdmin })
  const projected = (id: string) => eventually(async () => (await get(id)).statusCode === 200)
  const setStatus = (id: string, payload: unknown, headers = asAdmin) =>
    app.inject({ method: 'POST', url: `/api/admin/events/${id}/status`, headers, payload: payload as object })
  const clubPut = (id: string, payload: object) =>
    app.inject({ method: 'PUT', url: `/api/events/${id}`, headers: asAdmin, payload })
  const history = async (id: string) => (await runtime.store.readStream(clubEventStream(id))).map((e) => e.type)
  const statusChanges = async (id: string) =>
    (await runtime.store.readStream(clubEventStream(id)))
      .filter((e) => e.type === 'ClubEventStatusChanged')
      .map((e) => e.data as { from: string; to: string; changed_by: string })

  t.test('an admin creates a club event: 201, created by the admin, readable by members once projected', async (t) => {
    const starts_at = inHours(24)
    const ends_at = inHours(26)
    const res = await app.inject({
      method: 'POST',
      url: '/api/admin/events',
      headers: asAdmin,
      payload: {
        title: '  Kaggle Study Group  ',
        starts_at,
        ends_at,
        location: 'Room 4.12',
        notes: 'Bring a laptop',
        geofence: { lat: 51.5237, lng: -0.1586, radius_m: 150 },
      },
    })
    t.equal(res.statusCode, 201)
    const event = res.json().event as ClubEventBody
    t.match(event.id, /^[0-9a-f-]{36}$/)
    t.equal(event.title, 'Kaggle Study Group', 'the title is trimmed')
    t.equal(event.starts_at, starts_at)
    t.equal(event.ends_at, ends_at)
    t.equal(event.location, 'Room 4.12')
    t.equal(event.notes, 'Bring a laptop')
    t.same(event.geofence, { lat: 51.5237, lng: -0.1586, radius_m: 150 })
    t.equal(event.created_by, admin.user.id, 'created_by is the calling admin')
    t.ok(Math.abs(Date.parse(event.created_at) - Date.now()) < 60_000, 'created_at is now')

    const stored = await runtime.store.readStream(clubEventStream(event.id))
    t.same(
      stored.map((e) => e.type),
      ['ClubEventCreated'],
    )
    t.equal(stored[0]!.metadata.actor_id, admin.user.id)

    await projected(event.id)
    const got = await get(event.id)
    t.equal(got.statusCode, 200)
    t.same(got.json().event, { ...event, attendance_count: 0 }, 'GET answers what POST did, plus the count')

    const minimal = await createEvent(app, admin, { title: 'Minimal' })
    t.equal(minimal.location, null)
    t.equal(minimal.notes, null)
    t.equal(minimal.geofence, null)

    const missing = await get(randomUUID())
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().code, 'not_found')
  })

  t.test('upcoming and past lists page with next_cursor, without duplicates or gaps', async (t) => {
    // 7 upcoming (two starting at the same instant, so the id breaks the tie) and 5 past
    const base = Date.now() + 30 * 86_400_000
    const upcomingStarts = [0, 3, 1, 1, 6, 2, 5].map((h) => inHours(h, base))
    const mine: string[] = []
    const underWay = await createEvent(app, admin, { title: 'Under way' })
    mine.push(underWay.id)
    for (const starts_at of upcomingStarts)
      mine.push((await createEvent(app, admin, { title: 'Upcoming', starts_at, ends_at: inHours(8, base) })).id)
    const pastStart = Date.now()
    for (const h of [-10, -20, -30, -30, -40])
      mine.push(
        (
          await createEvent(app, admin, {
            title: 'Past',
            starts_at: inHours(h, pastStart),
            ends_at: inHours(h + 1, pastStart),
          })
        ).id,
      )
    const live = async (past: boolean) => {
      const now = new Date()
      const rows = await db
        .selectFrom('club_events')
        .select(['id'])
        .where('deleted_at', 'is', null)
        .where('ends_at', past ? '<' : '>=', now)
        .orderBy('starts_at', past ? 'desc' : 'asc')
        .orderBy('id', past ? 'desc' : 'asc')
        .execute()
      return rows.map((r) => r.id)
    }
    await eventually(
      async () =>
        (await db.selectFrom('club_events').select('id').where('id', 'in', mine).execute()).length === mine.length,
    )

    const listed: Record<string, string[]> = {}
    for (const when of ['upcoming', 'past'] as const) {
      const expected = await live(when === 'past')
      t.ok(expected.length >= (when === 'past' ? 5 : 7), `${when}: more events than one page`)
      const seen: string[] = []
      const pageSizes: number[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const q: string = `/api/events?when=${when}&limit=3${cursor ? `&cursor=${cursor}` : ''}`
        const res = await app.inject({ method: 'GET', url: q, headers: asStudent })
        t.equal(res.statusCode, 200)
        const body = res.json() as { items: ClubEventBody[]; next_cursor: string | null }
        t.ok(body.items.length <= 3)
        pageSizes.push(body.items.length)
        seen.push(...body.items.map((e) => e.id))
        cursor = body.next_cursor
        pages++
      } while (cursor !== null && pages < 20)
      t.equal(new Set(seen).size, seen.length, `${when}: no event twice`)
      t.same(seen, expected, `${when}: every live event once, in order`)
      t.ok(
        pageSizes.slice(0, -1).every((n) => n === 3),
        `${when}: every page but the last is full`,
      )
      t.ok(pages > 1, `${when}: followed next_cursor`)
      listed[when] = seen
    }
    const [upcomingIds, pastIds] = [mine.slice(0, 8), mine.slice(8)]
    t.ok(
      upcomingIds.every((id) => listed.upcoming!.includes(id) && !listed.past!.includes(id)),
      'future and under-way events are upcoming',
    )
    t.ok(
      pastIds.every((id) => listed.past!.includes(id) && !listed.upcoming!.includes(id)),
      'finished events are past',
    )
    t.equal(
      listed.upcoming!.indexOf(underWay.id),
      listed.upcoming!.findIndex((id) => upcomingIds.includes(id)),
      'the event under way comes first: soonest start first',
    )
    t.equal(
      listed.past!.indexOf(pastIds[0]!),
      listed.past!.findIndex((id) => pastIds.includes(id)),
      'the latest finished comes first',
    )

    const plain = await app.inject({ method: 'GET', url: '/api/events', headers: asStudent })
    t.equal(plain.statusCode, 200)
    const all = plain.json() as ClubEventBody[]
    t.ok(Array.isArray(all), 'without when, cursor or limit: the club frontend’s bare list')
    t.ok(
      [...upcomingIds, ...pastIds].every((id) => all.some((e) => e.id === id)),
      'of every event, past and upcoming',
    )
  })

  t.test('a forged cursor is a 400, never a 500', async (t) => {
    const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url')
    for (const cursor of [
      'not-a-cursor',
      forged(['yesterday', 'x']),
      forged([inHours(1), 'not-a-uuid']),
      forged(['abc', randomUUID()]),
      forged([1, 2]),
      forged([inHours(1)]),
    ]) {
      for (const when of ['upcoming', 'past']) {
        const res = await app.inject({
          method: 'GET',
          url: `/api/events?when=${when}&cursor=${cursor}`,
          headers: asStudent,
        })
        t.equal(res.statusCode, 400, `${when} cursor ${cursor}`)
        t.equal(res.json().code, 'validation_error')
      }
    }
  })

  t.test('PATCH changes only the given fields, and null clears the geofence', async (t) => {
    const event = await createEvent(app, admin, {
      location: 'Lab 2',
      notes: 'Pizza',
      geofence: { lat: 10, lng: 20, radius_m: 50 },
    })
    const renamed = await patch(event.id, { title: 'Renamed' })
    t.equal(renamed.statusCode, 200)
    t.same(renamed.json().event, { ...event, title: 'Renamed' }, 'only the title changed')

    const cleared = await patch(event.id, { geofence: null, location: null })
    t.equal(cleared.statusCode, 200)
    t.same(cleared.json().event, { ...event, title: 'Renamed', geofence: null, location: null })

    const [starts_at, ends_at] = [inHours(48), inHours(50)]
    const moved = await patch(event.id, { starts_at, ends_at })
    t.equal(moved.statusCode, 200, 'moving both ends at once is checked as a whole')
    t.same(moved.json().event, { ...event, title: 'Renamed', geofence: null, location: null, starts_at, ends_at })

    await eventually(async () => (await get(event.id)).json().event?.starts_at === starts_at)
    const got = (await get(event.id)).json().event as ClubEventBody
    t.same(
      { title: got.title, location: got.location, notes: got.notes, geofence: got.geofence },
      { title: 'Renamed', location: null, notes: 'Pizza', geofence: null },
      'the projection applied only the changes',
    )

    const types = (await runtime.store.readStream(clubEventStream(event.id))).map((e) => e.type)
    t.same(types, ['ClubEventCreated', 'ClubEventUpdated', 'ClubEventUpdated', 'ClubEventUpdated'])
    const same = await patch(event.id, { title: 'Renamed' })
    t.equal(same.statusCode, 200)
    t.equal(
      (await runtime.store.readStream(clubEventStream(event.id))).length,
      4,
      'a PATCH that changes nothing appends nothing',
    )

    const backwards = await patch(event.id, { ends_at: inHours(1) })
    t.equal(backwards.statusCode, 400, 'ends_at before the stored starts_at')
    t.equal(backwards.json().code, 'validation_error')

    const empty = await patch(event.id, {})
    t.equal(empty.statusCode, 400, 'an empty PATCH body is refused')
    t.equal(empty.json().code, 'validation_error')
    const unknownField = await patch(event.id, { title: 'x', created_by: randomUUID() })
    t.equal(unknownField.statusCode, 200, 'a key the body does not name is ignored')
    t.equal(unknownField.json().event.created_by, event.created_by, 'created_by cannot be assigned')

    const missing = await patch(randomUUID(), { title: 'Ghost' })
    t.equal(missing.statusCode, 404)
    t.equal(missing.json().code, 'not_found')
  })

  t.test('soft delete: 204, hidden from lists and GET, and its QR codes are refused', async (t) => {
    const event = await createEvent(app, admin)
    await projected(event.id)
    const qr = await issueQr(app, admin, event.id)

    const del = await remove(event.id)
    t.equal(del.statusCode, 204)
    t.equal(del.body, '')
    await eventually(async () => (await get(event.id)).statusCode === 404)
    const gone = await get(event.id)
    t.equal(gone.statusCode, 404)
    t.equal(gone.json().code, 'not_found')
    for (const when of ['upcoming', 'past']) {
      const list = await app.inject({ method: 'GET', url: `/api/events?when=${when}&limit=100`, headers: asStudent })
      t.notOk(
        list.json().items.some((e: ClubEventBody) => e.id === event.id),
        `not in the ${when} list`,
      )
    }
    const row = await db
      .selectFrom('club_events')
      .select(['deleted_at'])
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow()
    t.ok(row.deleted_at, 'the row stays, marked deleted')
    t.same(
      (await runtime.store.readStream(clubEventStream(event.id))).map((e) => e.type),
      ['ClubEventCreated', 'ClubEventDeleted'],
      'the history stays',
    )

    const again = await remove(event.id)
    t.equal(again.statusCode, 404, 'deleting twice')
    t.equal(again.json().code, 'not_found')
    const edit = await patch(event.id, { title: 'Back from the dead' })
    t.equal(edit.statusCode, 404, 'a deleted event cannot be edited')
    t.equal(edit.json().code, 'not_found')

    const newQr = await app.inject({
      method: 'POST',
      url: '/api/admin/qr-sessions',
      headers: asAdmin,
      payload: { event_id: event.id },
    })
    t.equal(newQr.statusCode, 404, 'no QR for a deleted event')
    t.equal(newQr.json().code, 'not_found')

    const scan = await mark(app, student, qr.payload)
    t.equal(scan.statusCode, 404, 'a QR issued before the deletion no longer marks')
    t.equal(scan.json().code, 'event_not_found')

    const ghost = await remove(randomUUID())
    t.equal(ghost.statusCode, 404)
    t.equal(ghost.json().code, 'not_found')
  })

  t.test('validation: the window must be ordered and the geofence on Earth', async (t) => {
    const create = (body: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/api/admin/events',
        headers: asAdmin,
        payload: { title: 'Bad', starts_at: inHours(5), ends_at: inHours(6), ...body },
      })
    const cases: [string, Record<string, unknown>][] = [
      ['ends_at before starts_at', { starts_at: inHours(6), ends_at: inHours(5) }],
      ['ends_at equal to starts_at', { starts_at: inHours(6), ends_at: inHours(6) }],
      ['a date that does not exist', { starts_at: '2031-02-30T10:00:00Z' }],
      ['a time without a zone', { starts_at: '2031-02-03T10:00:00' }],
      ['a blank title', { title: '   ' }],
      ['no title', { title: undefined }],
      ['geofence latitude past the pole', { geofence: { lat: 91, lng: 0, radius_m: 100 } }],
      ['geofence longitude out of range', { geofence: { lat: 0, lng: -181, radius_m: 100 } }],
      ['geofence radius too small', { geofence: { lat: 0, lng: 0, radius_m: 5 } }],
      ['geofence radius too large', { geofence: { lat: 0, lng: 0, radius_m: 50_000 } }],
      ['geofence without a radius', { geofence: { lat: 0, lng: 0 } }],
      ['geofence as a string', { geofence: '51.5,-0.1' }],
      ['geofence latitude as a string', { geofence: { lat: '51.5', lng: 0, radius_m: 100 } }],
    ]
    for (const [name, body] of cases) {
      const res = await create(body)
      t.equal(res.statusCode, 400, name)
      t.equal(res.json().code, 'validation_error', name)
    }
    const patched = await patch(randomUUID(), { geofence: { lat: 0, lng: 0, radius_m: 1 } })
    t.equal(patched.statusCode, 400, 'PATCH validates the geofence too')
  })

  t.test('students get 403 on every admin route, and anonymous callers 401', async (t) => {
    const event = await createEvent(app, admin)
    const qr = await issueQr(app, admin, event.id)
    const routes: [string, string, object?][] = [
      ['POST', '/api/admin/events', { title: 'Mine', starts_at: inHours(1), ends_at: inHours(2) }],
      ['PATCH', `/api/admin/events/${event.id}`, { title: 'Mine now' }],
      ['DELETE', `/api/admin/events/${event.id}`],
      ['GET', `/api/admin/events/${event.id}/attendance`],
      ['POST', '/api/admin/qr-sessions', { event_id: event.id }],
      ['GET', `/api/admin/qr-sessions/active?event_id=${event.id}`],
      ['POST', `/api/admin/qr-sessions/${qr.id}/revoke`],
      ['GET', `/api/admin/qr-sessions/${qr.id}/qr.svg`],
    ]
    for (const [method, url, payload] of routes) {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: asStudent,
        ...(payload ? { payload } : {}),
      })
      t.equal(res.statusCode, 403, `student: ${method} ${url}`)
      t.equal(res.json().code, 'forbidden')
      const anon = await app.inject({ method: method as 'GET', url, ...(payload ? { payload } : {}) })
      t.equal(anon.statusCode, 401, `anonymous: ${method} ${url}`)
      t.equal(anon.json().code, 'unauthorized')
    }
    t.same(
      (await runtime.store.readStream(clubEventStream(event.id))).map((e) => e.type),
      ['ClubEventCreated'],
      'nothing a student sent changed the event',
    )
    const list = await app.inject({ method: 'GET', url: '/api/events' })
    t.equal(list.statusCode, 401, 'listing needs a session')
  })
  t.test('a description round-trips through our shape and the club’s', async (t) => {
    const event = await createEvent(app, admin, { description: '  Groupby, from zero.\nBring data.  ' })
    t.equal(event.description, 'Groupby, from zero.\nBring data.', 'trimmed, line break kept')
    t.equal(event.status, 'scheduled', 'a new event is scheduled')
    await projected(event.id)
    const got = (await get(event.id)).json()
    t.equal(got.event.description, event.description, 'ours, under event')
    t.equal(got.description, event.description, 'the club’s, at the top level')
    const edited = await patch(event.id, { description: 'Moved to Lab 2' })
    t.equal(edited.json().event.description, 'Moved to Lab 2', 'PATCH edits it')
    const club = await clubPut(event.id, { description: 'By the club form' })
    t.match(club.json(), { description: 'By the club form', event: { description: 'By the club form' } })
    // read as the admin who wrote: a session reads its own writes at once
    const listed = (await app.inject({ method: 'GET', url: '/api/events', headers: asAdmin })).json()
    t.equal(listed.find((e: ClubEventBody) => e.id === event.id).description, 'By the club form', 'the club’s list')
    const paged = await app.inject({ method: 'GET', url: '/api/events?when=upcoming&limit=100', headers: asAdmin })
    t.equal(
      paged.json().items.find((e: ClubEventBody) => e.id === event.id).description,
      'By the club form',
      'our pages',
    )
    t.equal((await patch(event.id, { description: null })).json().event.description, null, 'null clears it')
    const long = await patch(event.id, { description: 'x'.repeat(2001) })
    t.match({ s: long.statusCode, ...long.json() }, { s: 400, code: 'validation_error', detail: String })
  })

  t.test('POST /api/admin/events without ends_at: one start, the default length, any status', async (t) => {
    const starts_at = inHours(30)
    const res = await app.inject({
      method: 'POST',
      url: '/api/admin/events',
      headers: asAdmin,
      payload: { title: 'One instant', starts_at },
    })
    t.equal(res.statusCode, 201)
    t.equal(res.json().event.ends_at, new Date(Date.parse(starts_at) + 120 * 60_000).toISOString(), '120 min later')
    const cancelled = await app.inject({
      method: 'POST',
      url: '/api/admin/events',
      headers: asAdmin,
      payload: { title: 'Born cancelled', starts_at, status: 'cancelled', description: 'Rained off' },
    })
    t.equal(cancelled.json().event.status, 'cancelled')
    t.same(await history(cancelled.json().event.id), ['ClubEventCreated', 'ClubEventStatusChanged'], 'one append')
    const club = await app.inject({
      method: 'POST',
      url: '/api/events',
      headers: asAdmin,
      payload: { title: 'Club active', scheduled_at: starts_at, status: 'active' },
    })
    t.match({ s: club.statusCode, ...club.json() }, { s: 200, status: 'active' }, 'the club’s create takes one too')
    for (const [url, body] of [
      ['/api/admin/events', { title: 'Bogus', starts_at, status: 'bogus' }],
      ['/api/events', { title: 'Bogus', scheduled_at: starts_at, status: 'done' }],
    ] as const) {
      const bad = await app.inject({ method: 'POST', url, headers: asAdmin, payload: body })
      t.match({ s: bad.statusCode, ...bad.json() }, { s: 400, code: 'validation_error', detail: String }, url)
    }
  })

  t.test('status: ours and the club’s PUT, idempotent, 404 and 400 with nothing changed', async (t) => {
    const event = await createEvent(app, admin, { title: 'Lifecycle' })
    const done = await setStatus(event.id, { status: 'completed' })
    t.equal(done.statusCode, 200)
    t.same(done.json().event, { ...event, status: 'completed' }, 'the event, with its new status')
    t.match(await statusChanges(event.id), [{ from: 'scheduled', to: 'completed', changed_by: admin.user.id }])
    const again = await setStatus(event.id, { status: 'completed' })
    t.equal(again.statusCode, 200, 'the same status again is a 200')
    t.equal((await statusChanges(event.id)).length, 1, 'and stores nothing')

    const reverted = await clubPut(event.id, { status: 'scheduled' })
    t.match(
      { s: reverted.statusCode, ...reverted.json() },
      { s: 200, status: 'scheduled', event: { status: 'scheduled' } },
    )
    const both = await clubPut(event.id, { title: 'Lifecycle, renamed', status: 'cancelled' })
    t.match(both.json(), { title: 'Lifecycle, renamed', status: 'cancelled' }, 'fields and status in one PUT')
    t.same((await history(event.id)).slice(-2), ['ClubEventUpdated', 'ClubEventStatusChanged'], 'the edit first')
    const cancelledToDone = await clubPut(event.id, { status: 'completed' })
    t.equal(cancelledToDone.json().status, 'completed', 'a cancelled event may be completed')

    const before = await history(event.id)
    const refusals: [string, () => ReturnType<typeof setStatus>][] = [
      ['an unknown status', () => setStatus(event.id, { status: 'finished' })],
      ['no status', () => setStatus(event.id, {})],
      ['a null status', () => setStatus(event.id, { status: null })],
      ['a status in capitals', () => setStatus(event.id, { status: 'COMPLETED' })],
      ['a club PUT with a bad status and a good title', () => clubPut(event.id, { title: 'No', status: 'x' })],
      [
        'a club PUT whose edit the event refuses, with a good status',
        () => clubPut(event.id, { ends_at: '2000-01-01T00:00:00Z', status: 'scheduled' }),
      ],
      [
        'a club PUT with a bad time',
        () => clubPut(event.id, { scheduled_at: '2030-02-30T10:00:00', status: 'active' }),
      ],
    ]
    for (const [name, send] of refusals) {
      const res = await send()
      t.match({ s: res.statusCode, ...res.json() }, { s: 400, code: 'validation_error', detail: String }, name)
    }
    t.same(await history(event.id), before, 'none of them stored anything')

    const deleted = await createEvent(app, admin)
    t.equal((await remove(deleted.id)).statusCode, 204)
    for (const id of [randomUUID(), deleted.id]) {
      const ours = await setStatus(id, { status: 'completed' })
      t.match({ s: ours.statusCode, ...ours.json() }, { s: 404, code: 'not_found', detail: String })
      const club = await clubPut(id, { status: 'scheduled' })
      t.match({ s: club.statusCode, ...club.json() }, { s: 404, code: 'not_found' })
    }
    const byStudent = await setStatus(event.id, { status: 'active' }, asStudent)
    t.equal(byStudent.statusCode, 403)

    await eventually(async () => (await get(event.id)).json().status === 'completed')
    // in the store's order: a position is text ("<transaction>:<sequence>"), and sorted as text
    // 10000:… comes before 9999:… once the cluster's transaction ids gain a digit
    const audited = async () =>
      (
        await db
          .selectFrom('audit_log')
          .select(['position', 'action', 'target_type', 'details'])
          .where('target_id', '=', event.id)
          .where('event_type', '=', 'ClubEventStatusChanged')
          .execute()
      )
        .sort((a, b) => runtime.store.compare(a.position, b.position))
        .map(({ position: _, ...row }) => row)
    await eventually(async () => (await audited()).length === 4)
    t.match(
      await audited(),
      ['completed', 'scheduled', 'cancelled', 'completed'].map((to) => ({
        action: 'club_event_status_changed',
        target_type: 'club_event',
        details: { to },
      })),
      'every change in the audit log, with where it went',
    )
  })

  t.test('a race: 20 status changes at once, none lost and none clobbering an edit', async (t) => {
    const event = await createEvent(app, admin, { title: 'Race' })
    const same = await Promise.all(Array.from({ length: 20 }, () => setStatus(event.id, { status: 'completed' })))
    t.same([...new Set(same.map((r) => r.statusCode))], [200], '20 × complete: every one a 200')
    t.equal((await statusChanges(event.id)).length, 1, 'and exactly one change stored')

    const mixed = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 4 === 3
          ? patch(event.id, { title: `Race ${i}` })
          : setStatus(event.id, { status: i % 2 ? 'scheduled' : 'active' }),
      ),
    )
    const codes = mixed.map((r) => r.statusCode)
    t.ok(
      codes.every((c) => c === 200 || c === 409),
      `200s, or 409 conflict after retries (${codes.join(',')})`,
    )
    const changes = await statusChanges(event.id)
    for (let i = 1; i < changes.length; i++)
      t.equal(changes[i]!.from, changes[i - 1]!.to, `change ${i} starts where the one before ended`)
    t.ok(
      changes.slice(1).every((c) => c.from !== c.to),
      'no change to the status it had',
    )
    const titles = mixed.filter((r, i) => i % 4 === 3 && r.statusCode === 200).length
    const stream = await runtime.store.readStream(clubEventStream(event.id))
    t.equal(stream.filter((e) => e.type === 'ClubEventUpdated').length, titles, 'every edit that won is stored')
    const last = changes.at(-1)!.to
    await eventually(async () => (await get(event.id)).json().status === last)
    t.match((await get(event.id)).json(), { status: last, title: /^Race/ }, 'the read model agrees with the stream')
  })

  t.test('cancelled and completed events take no attendance; reverting reopens; attendees are told', async (t) => {
    const event = await createEvent(app, admin, { title: 'Cancel me' })
    const qr = await issueQr(app, admin, event.id)
    const scanned = await mark(app, student, qr.payload)
    t.ok(scanned.statusCode < 300, `marked before the cancellation (${scanned.statusCode})`)
    const late = await member(app, runtime, admin)

    t.equal((await setStatus(event.id, { status: 'cancelled' })).statusCode, 200)
    const refusedQr = await app.inject({
      method: 'POST',
      url: '/api/admin/qr-sessions',
      headers: asAdmin,
      payload: { event_id: event.id },
    })
    t.match({ s: refusedQr.statusCode, ...refusedQr.json() }, { s: 409, code: 'event_cancelled', detail: String })
    const clubStart = await app.inject({
      method: 'POST',
      url: '/api/attendance/start-session',
      headers: asAdmin,
      payload: { event_id: event.id },
    })
    t.match({ s: clubStart.statusCode, ...clubStart.json() }, { s: 409, code: 'event_cancelled' }, 'the club’s start')
    const lateScan = await mark(app, late, qr.payload)
    t.match(
      { s: lateScan.statusCode, ...lateScan.json() },
      { s: 409, code: 'event_cancelled', detail: String },
      'a code shown before the cancellation marks no more',
    )

    t.equal((await setStatus(event.id, { status: 'completed' })).statusCode, 200)
    const doneQr = await app.inject({
      method: 'POST',
      url: '/api/admin/qr-sessions',
      headers: asAdmin,
      payload: { event_id: event.id },
    })
    t.match({ s: doneQr.statusCode, ...doneQr.json() }, { s: 409, code: 'event_completed' })
    const rotate = await app.inject({ method: 'POST', url: `/api/attendance/refresh-qr/${qr.id}`, headers: asAdmin })
    t.match({ s: rotate.statusCode, ...rotate.json() }, { s: 409, code: 'event_completed' }, 'no rotation either')
    t.match((await mark(app, late, qr.payload)).json(), { code: 'event_completed' })

    t.equal((await clubPut(event.id, { status: 'scheduled' })).statusCode, 200, 'revert to scheduled')
    const reopened = await issueQr(app, admin, event.id)
    const lateAfterAll = await mark(app, late, reopened.payload)
    t.ok(lateAfterAll.statusCode < 300, `a reverted event takes attendance again (${lateAfterAll.statusCode})`)

    const told = await arrived(app, student.access_token, (n) => n.type === 'club_event_cancelled')
    t.match(told, {
      title: 'Cancel me was cancelled',
      data: { club_event_id: event.id, club_event_title: 'Cancel me' },
    })
    await caughtUp(runtime)
    const adminList = await list(app, admin.access_token, 'limit=100')
    t.notOk(
      adminList.items.some((n) => n.type === 'club_event_cancelled'),
      'the admin who cancelled is not told',
    )
    const lateList = await list(app, late.access_token, 'limit=100')
    t.notOk(
      lateList.items.some((n) => n.type === 'club_event_cancelled'),
      'nor a member who had not marked when it was cancelled',
    )
  })

  t.test('the read models rebuilt from position 0 give identical rows', async (t) => {
    await caughtUp(runtime)
    const clubEvents = () => db.selectFrom('club_events').selectAll().orderBy('id').execute()
    const notifications = async () => ({
      rows: await db.selectFrom('notifications').selectAll().orderBy('id').execute(),
      attendees: await db
        .selectFrom('notification_attendees')
        .selectAll()
        .orderBy('club_event_id')
        .orderBy('user_id')
        .execute(),
    })
    const before = { events: await clubEvents(), notes: await notifications() }
    t.ok(
      before.events.some((e) => e.lifecycle !== 'scheduled'),
      'statuses to compare',
    )
    t.ok(
      before.events.some((e) => e.description !== null),
      'descriptions to compare',
    )
    t.ok(before.notes.attendees.length > 0, 'attendees to compare')
    await resetConsumer(db, projectionConsumer(clubEventsProjection))
    await resetConsumer(db, notificationsConsumer)
    await eventually(async () => (await clubEvents()).length === before.events.length)
    await caughtUp(runtime)
    await eventually(async () => JSON.stringify(await clubEvents()) === JSON.stringify(before.events))
    t.same(await clubEvents(), before.events, 'club_events: identical rows, statuses and descriptions included')
    t.same(await notifications(), before.notes, 'notifications and who marked where: identical')
  })
})
