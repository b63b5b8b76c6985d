import t from 'tap'
import { given } from '../../helpers/decider'
import { fold } from '../../../src/domain/decider'
import { clubEventDecider, type ClubEventCommand, type CreateClubEvent } from '../../../src/domain/club-events/decide'
import {
  clubEventStream,
  type ClubEventCreated,
  type ClubEventEvent,
  type ClubEventFields,
  type ClubEventStatusChanged,
} from '../../../src/domain/club-events/events'
import {
  CLUB_EVENT_LIFECYCLES,
  type ClubEventLifecycle,
  attendanceClosed,
} from '../../../src/domain/club-events/lifecycle'

const ID = '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e'
const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'
const NOW = new Date('2025-03-01T12:00:00.000Z')
const metadata = { actor_id: ADMIN, now: NOW }

const create = (data: Partial<CreateClubEvent['data']> = {}): CreateClubEvent => ({
  type: 'CreateClubEvent',
  data: {
    club_event_id: ID,
    title: 'Intro to pandas',
    starts_at: '2025-03-10T17:00:00Z',
    ends_at: '2025-03-10T19:00:00Z',
    ...data,
  },
  metadata,
})
const update = (changes: Partial<ClubEventFields>): ClubEventCommand => ({
  type: 'UpdateClubEvent',
  data: { club_event_id: ID, changes },
  metadata,
})
const remove: ClubEventCommand = { type: 'DeleteClubEvent', data: { club_event_id: ID }, metadata }

const created: ClubEventCreated = {
  type: 'ClubEventCreated',
  data: {
    club_event_id: ID,
    title: 'Intro to pandas',
    starts_at: '2025-03-10T17:00:00.000Z',
    ends_at: '2025-03-10T19:00:00.000Z',
    location: null,
    notes: null,
    description: null,
    geofence: null,
    created_by: ADMIN,
    created_at: NOW.toISOString(),
  },
}
const deleted: ClubEventEvent = {
  type: 'ClubEventDeleted',
  data: { club_event_id: ID, deleted_by: ADMIN, deleted_at: NOW.toISOString() },
}
const fence = { lat: 52.52, lng: 13.405, radius_m: 150 }
const refusedWith = (code: string) => ({ name: 'DomainError', code })

t.test('the stream of a club event is named club_event-<id>', async (t) => {
  t.equal(clubEventStream(ID), `club_event-${ID}`)
})

t.test('CreateClubEvent', async (t) => {
  t.test('on an empty stream records the event with times in UTC and absent options as null', async (t) => {
    given(t, clubEventDecider, []).when(create()).then([created])
  })
  t.test('trims the title and text, keeps a geofence, and turns offsets into UTC', async (t) => {
    const [e] = given(t, clubEventDecider, [])
      .when(
        create({
          title: '  Intro to pandas ',
          starts_at: '2025-03-10T18:00:00+01:00',
          location: ' Room 4 ',
          notes: 'Bring a laptop\n',
          geofence: fence,
        }),
      )
      .events()
    t.match(e, {
      data: {
        title: 'Intro to pandas',
        starts_at: '2025-03-10T17:00:00.000Z',
        location: 'Room 4',
        notes: 'Bring a laptop',
        geofence: fence,
      },
    })
  })
  t.test('drops fields a client slipped into the geofence', async (t) => {
    const [e] = given(t, clubEventDecider, [])
      .when(create({ geofence: { ...fence, owner: 'x' } as never }))
      .events()
    t.same(e?.data, { ...created.data, geofence: fence })
  })
  t.test('on an existing stream is refused: already_exists', async (t) => {
    given(t, clubEventDecider, [created]).when(create()).thenThrows('already_exists')
    given(t, clubEventDecider, [created, deleted])
      .when(create())
      .thenThrows('already_exists', 'a deleted id is not reused')
  })
  const invalid: Record<string, Partial<CreateClubEvent['data']>> = {
    'a blank title': { title: '   ' },
    'a title of 201 characters': { title: 'x'.repeat(201) },
    'a title with a line break': { title: 'a\nb' },
    'a title with NUL': { title: 'a\u0000b' },
    'a title with a lone surrogate': { title: 'a\ud800b' },
    'a non-string title': { title: 42 as never },
    'ends before it starts': { ends_at: '2025-03-10T16:00:00Z' },
    'ends when it starts': { ends_at: '2025-03-10T17:00:00Z' },
    'a time without a zone': { starts_at: '2025-03-10T17:00:00' },
    'a date that does not exist': { starts_at: '2025-02-30T17:00:00Z' },
    'a time that is not a time': { starts_at: 'tomorrow' },
    'a location of 201 characters': { location: 'x'.repeat(201) },
    'notes of 2001 characters': { notes: 'x'.repeat(2001) },
    'a description of 2001 characters': { description: 'x'.repeat(2001) },
    'a description with a control character': { description: 'a\u0007b' },
    'a status that is not one': { lifecycle: 'done' as never },
    'no end and no default length': { ends_at: undefined },
    'no end and a default length of 0': { ends_at: undefined, default_length_minutes: 0 },
    'no end, and the default length runs past 9999': {
      starts_at: '9999-12-30T23:30:00Z',
      ends_at: undefined,
      default_length_minutes: 120,
    },
    'a latitude beyond 90': { geofence: { ...fence, lat: 90.1 } },
    'a longitude beyond -180': { geofence: { ...fence, lng: -180.1 } },
    'a radius under 10 m': { geofence: { ...fence, radius_m: 9 } },
    'a radius over 10 km': { geofence: { ...fence, radius_m: 10_001 } },
    'a NaN radius': { geofence: { ...fence, radius_m: Number.NaN } },
    'a geofence that is an array': { geofence: [] as never },
  }
  for (const [name, data] of Object.entries(invalid)) {
    t.test(`with ${name} is refused: validation_error`, async (t) => {
      given(t, clubEventDecider, []).when(create(data)).thenThrows('validation_error')
    })
  }
  t.test('accepts the limits themselves', async (t) => {
    const [e] = given(t, clubEventDecider, [])
      .when(
        create({
          title: 'é'.repeat(200),
          location: 'x'.repeat(200),
          notes: 'x'.repeat(2000),
          geofence: { lat: -90, lng: 180, radius_m: 10_000 },
        }),
      )
      .events()
    t.equal(e?.type, 'ClubEventCreated')
    t.equal(
      given(t, clubEventDecider, [])
        .when(create({ title: '😀'.repeat(200) }))
        .events().length,
      1,
      'counts characters, not UTF-16 units',
    )
  })
})

t.test('UpdateClubEvent', async (t) => {
  t.test('records only the fields that change', async (t) => {
    given(t, clubEventDecider, [created])
      .when(update({ title: 'Intro to pandas', location: 'Room 4', notes: null }))
      .then([
        {
          type: 'ClubEventUpdated',
          data: {
            club_event_id: ID,
            changes: { location: 'Room 4' },
            updated_by: ADMIN,
            updated_at: NOW.toISOString(),
          },
        },
      ])
  })
  t.test('that changes nothing records nothing', async (t) => {
    given(t, clubEventDecider, [created]).when(update({})).then([])
    t.same(
      given(t, clubEventDecider, [created])
        .when(update({ title: ' Intro to pandas ', starts_at: '2025-03-10T18:00:00+01:00', geofence: null }))
        .events(),
      [],
    )
  })
  t.test('may clear the geofence, location and notes', async (t) => {
    const withAll: ClubEventCreated = {
      ...created,
      data: { ...created.data, location: 'Room 4', notes: 'n', geofence: fence },
    }
    t.match(
      given(t, clubEventDecider, [withAll])
        .when(update({ location: null, notes: null, geofence: null }))
        .events(),
      [{ data: { changes: { location: null, notes: null, geofence: null } } }],
    )
  })
  t.test('compares geofences by value', async (t) => {
    const withFence: ClubEventCreated = { ...created, data: { ...created.data, geofence: fence } }
    given(t, clubEventDecider, [withFence])
      .when(update({ geofence: { ...fence } }))
      .then([])
    t.match(
      given(t, clubEventDecider, [withFence])
        .when(update({ geofence: { ...fence, radius_m: 200 } }))
        .events(),
      [{ data: { changes: { geofence: { radius_m: 200 } } } }],
    )
  })
  t.test('checks the time window as it will be after the update', async (t) => {
    given(t, clubEventDecider, [created])
      .when(update({ starts_at: '2025-03-10T20:00:00Z' }))
      .thenThrows('validation_error')
    t.match(
      given(t, clubEventDecider, [created])
        .when(update({ starts_at: '2025-03-11T17:00:00Z', ends_at: '2025-03-11T19:00:00Z' }))
        .events(),
      [{ type: 'ClubEventUpdated' }],
      'moving both ends at once',
    )
  })
  t.test('refuses invalid values, and clearing the title or times: validation_error', async (t) => {
    for (const changes of [
      { title: '' },
      { title: null },
      { starts_at: null },
      { notes: 'x'.repeat(2001) },
      { geofence: { ...fence, lat: 91 } },
    ]) {
      t.throws(
        () =>
          given(t, clubEventDecider, [created])
            .when(update(changes as Partial<ClubEventFields>))
            .events(),
        refusedWith('validation_error'),
        JSON.stringify(changes),
      )
    }
  })
  t.test('of a club event that does not exist or was deleted is refused: not_found', async (t) => {
    given(t, clubEventDecider, [])
      .when(update({ title: 'x' }))
      .thenThrows('not_found')
    given(t, clubEventDecider, [created, deleted])
      .when(update({ title: 'x' }))
      .thenThrows('not_found')
  })
  t.test('is folded into the state', async (t) => {
    const [e] = given(t, clubEventDecider, [created])
      .when(update({ title: 'Pandas II', geofence: fence }))
      .events()
    if (!e) throw new Error('no event')
    t.match(fold(clubEventDecider, [created, e]), {
      status: 'active',
      title: 'Pandas II',
      geofence: fence,
      location: null,
    })
  })
})

t.test('DeleteClubEvent', async (t) => {
  t.test('soft-deletes an active club event', async (t) => {
    given(t, clubEventDecider, [created]).when(remove).then([deleted])
    t.match(fold(clubEventDecider, [created, deleted]), {
      status: 'deleted',
      title: 'Intro to pandas',
      deleted_by: ADMIN,
    })
  })
  t.test('of a missing or already deleted club event is refused: not_found', async (t) => {
    given(t, clubEventDecider, []).when(remove).thenThrows('not_found')
    given(t, clubEventDecider, [created, deleted]).when(remove).thenThrows('not_found')
  })
})

const statusTo = (lifecycle: ClubEventLifecycle): ClubEventCommand => ({
  type: 'ChangeClubEventStatus',
  data: { club_event_id: ID, lifecycle },
  metadata,
})
const changed = (from: ClubEventLifecycle, to: ClubEventLifecycle): ClubEventStatusChanged => ({
  type: 'ClubEventStatusChanged',
  data: { club_event_id: ID, from, to, changed_by: ADMIN, changed_at: NOW.toISOString() },
})

t.test('descriptions, single-instant events and a starting status', async (t) => {
  t.test('a description is trimmed and kept, line breaks included; blank is none', async (t) => {
    const [e] = given(t, clubEventDecider, [])
      .when(create({ description: '  Pandas, from zero.\nBring data.  ' }))
      .events()
    t.match(e, { data: { description: 'Pandas, from zero.\nBring data.' } })
    const [blank] = given(t, clubEventDecider, [])
      .when(create({ description: '   ' }))
      .events()
    t.match(blank, { data: { description: null } })
  })
  t.test('an event stored before descriptions and statuses folds to none and scheduled', async (t) => {
    const { description: _, ...old } = created.data
    const state = fold(clubEventDecider, [{ type: 'ClubEventCreated', data: old }])
    t.match(state, { status: 'active', description: null, lifecycle: 'scheduled' })
    t.match(
      given(t, clubEventDecider, [{ type: 'ClubEventCreated', data: old }])
        .when(update({ description: 'Now with one' }))
        .events(),
      [{ data: { changes: { description: 'Now with one' } } }],
      'and takes a description by an edit',
    )
    given(t, clubEventDecider, [{ type: 'ClubEventCreated', data: old }])
      .when(update({ description: null }))
      .then([], 'clearing none changes nothing')
  })
  t.test('without an end, it ends the default length after its start', async (t) => {
    const [e] = given(t, clubEventDecider, [])
      .when(create({ ends_at: undefined, default_length_minutes: 90 }))
      .events()
    t.match(e, { data: { starts_at: '2025-03-10T17:00:00.000Z', ends_at: '2025-03-10T18:30:00.000Z' } })
    const [sent] = given(t, clubEventDecider, [])
      .when(create({ default_length_minutes: 90 }))
      .events()
    t.match(sent, { data: { ends_at: '2025-03-10T19:00:00.000Z' } }, 'an end sent wins over the default')
  })
  t.test('a starting status other than scheduled is a status change in the same decision', async (t) => {
    given(t, clubEventDecider, [])
      .when(create({ lifecycle: 'scheduled' }))
      .then([created])
    const after = given(t, clubEventDecider, [])
      .when(create({ lifecycle: 'completed' }))
      .then([created, changed('scheduled', 'completed')])
    t.match(after, { status: 'active', lifecycle: 'completed' })
  })
})

t.test('ChangeClubEventStatus', async (t) => {
  t.test('records the change from the status the event has', async (t) => {
    const after = given(t, clubEventDecider, [created])
      .when(statusTo('completed'))
      .then([changed('scheduled', 'completed')])
    t.match(after, { status: 'active', lifecycle: 'completed', title: 'Intro to pandas' }, 'folded, fields kept')
  })
  t.test('any status may follow any other; the same one records nothing', async (t) => {
    for (const from of CLUB_EVENT_LIFECYCLES) {
      const history: ClubEventEvent[] = from === 'scheduled' ? [created] : [created, changed('scheduled', from)]
      for (const to of CLUB_EVENT_LIFECYCLES)
        given(t, clubEventDecider, history)
          .when(statusTo(to))
          .then(from === to ? [] : [changed(from, to)], `${from} → ${to}`)
    }
  })
  t.test('of a club event that does not exist or was deleted is refused: not_found', async (t) => {
    given(t, clubEventDecider, []).when(statusTo('completed')).thenThrows('not_found')
    given(t, clubEventDecider, [created, deleted]).when(statusTo('completed')).thenThrows('not_found')
    given(t, clubEventDecider, [created, deleted])
      .when(statusTo('scheduled'))
      .thenThrows('not_found', 'even the status it had')
  })
  t.test('to a status that is not one is refused: validation_error', async (t) => {
    for (const bad of ['done', 'Completed', '', null, 3])
      given(t, clubEventDecider, [created])
        .when(statusTo(bad as never))
        .thenThrows('validation_error', JSON.stringify(bad))
  })
  t.test('an edit leaves the status, and a status change the fields', async (t) => {
    const [e] = given(t, clubEventDecider, [created, changed('scheduled', 'cancelled')])
      .when(update({ title: 'Pandas II' }))
      .events()
    if (!e) throw new Error('no event')
    t.match(fold(clubEventDecider, [created, changed('scheduled', 'cancelled'), e]), {
      title: 'Pandas II',
      lifecycle: 'cancelled',
    })
  })
})

t.test('cancelled and completed events take no attendance; scheduled and active ones do', async (t) => {
  t.same(
    CLUB_EVENT_LIFECYCLES.map((l) => attendanceClosed(l)),
    [null, null, 'event_completed', 'event_cancelled'],
  )
})
