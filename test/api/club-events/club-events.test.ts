import { randomUUID } from 'node:crypto'
import t from 'tap'
import { clubEventStream } from '../../../src/domain/club-events/events'
import { eventually } from '../../helpers/eventually'
import { adminSession, bearer, member } from '../../helpers/identity'
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
})
