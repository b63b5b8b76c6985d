import t from 'tap'
import { given } from '../../helpers/decider'
import { fold } from '../../../src/domain/decider'
import { clubEventDecider, type ClubEventCommand, type CreateClubEvent } from '../../../src/domain/club-events/decide'
import {
  clubEventStream,
  type ClubEventCreated,
  type ClubEventEvent,
  type ClubEventFields,
} from '../../../src/domain/club-events/events'

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
