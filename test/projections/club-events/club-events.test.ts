import t from 'tap'
import type { AttendanceMarked } from '../../../src/domain/attendance/events'
import type { ClubEventEvent } from '../../../src/domain/club-events/events'
import { clubEventsProjection } from '../../../src/projections/club-events/club-events'
import { projection } from '../../helpers/projection-spec'

const EVENT = '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e'
const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'
const at = (s: number) => new Date(Date.UTC(2025, 2, 1, 12, 0, s)).toISOString()
const fence = { lat: 52.52, lng: 13.405, radius_m: 150 }

const created: ClubEventEvent = {
  type: 'ClubEventCreated',
  data: {
    club_event_id: EVENT,
    title: 'Intro to pandas',
    starts_at: '2025-03-10T17:00:00.000Z',
    ends_at: '2025-03-10T19:00:00.000Z',
    location: null,
    notes: null,
    description: 'From zero to groupby',
    geofence: fence,
    created_by: ADMIN,
    created_at: at(0),
  },
}
const row = {
  id: EVENT,
  title: 'Intro to pandas',
  starts_at: '2025-03-10T17:00:00.000Z',
  ends_at: '2025-03-10T19:00:00.000Z',
  location: null,
  notes: null,
  description: 'From zero to groupby',
  geofence: fence,
  lifecycle: 'scheduled',
  created_by: ADMIN,
  created_at: at(0),
  updated_at: at(0),
  deleted_at: null,
  attendance_count: 0,
}
const marked = (club_event_id: string, user: string): AttendanceMarked => ({
  type: 'AttendanceMarked',
  data: {
    attendance_id: `${user}-a`,
    club_event_id,
    user_id: user,
    qr_session_id: 'q',
    nonce: 'n',
    marked_at: at(30),
    location: null,
  },
})

t.test(
  'a created club event is a row with its geofence as JSON and no attendance yet; the calendar moves',
  async (t) => {
    projection(t, clubEventsProjection)
      .given([created])
      .then({ club_events: [row], club_calendar: [{ id: 1, version: 1 }] })
  },
)

t.test('an update changes only the fields it names; a null geofence clears it', async (t) => {
  projection(t, clubEventsProjection)
    .given([
      created,
      {
        type: 'ClubEventUpdated',
        data: {
          club_event_id: EVENT,
          changes: { title: 'Pandas II', geofence: null },
          updated_by: ADMIN,
          updated_at: at(10),
        },
      },
    ])
    .then({
      club_events: [{ ...row, title: 'Pandas II', geofence: null, updated_at: at(10) }],
      club_calendar: [{ id: 1, version: 2 }],
    })
})

t.test('a deletion is soft: the row stays, marked deleted', async (t) => {
  projection(t, clubEventsProjection)
    .given([
      created,
      { type: 'ClubEventDeleted', data: { club_event_id: EVENT, deleted_by: ADMIN, deleted_at: at(20) } },
    ])
    .then({ club_events: [{ ...row, deleted_at: at(20), updated_at: at(20) }], club_calendar: [{ id: 1, version: 2 }] })
})

t.test('every mark adds one to its club event, and only to its own; the calendar keeps its version', async (t) => {
  projection(t, clubEventsProjection)
    .given([created, marked(EVENT, 'u1'), marked(EVENT, 'u2'), marked('another-event', 'u3')])
    .then({ club_events: [{ ...row, attendance_count: 2 }], club_calendar: [{ id: 1, version: 1 }] })
})

t.test('a status change sets the lifecycle; an event stored before descriptions has none', async (t) => {
  const { description: _, ...old } = created.data
  projection(t, clubEventsProjection)
    .given([
      { type: 'ClubEventCreated', data: old },
      {
        type: 'ClubEventStatusChanged',
        data: { club_event_id: EVENT, from: 'scheduled', to: 'cancelled', changed_by: ADMIN, changed_at: at(40) },
      },
      {
        type: 'ClubEventUpdated',
        data: { club_event_id: EVENT, changes: { description: 'Moved online' }, updated_by: ADMIN, updated_at: at(50) },
      },
    ])
    .then({
      club_events: [{ ...row, description: 'Moved online', lifecycle: 'cancelled', updated_at: at(50) }],
      club_calendar: [{ id: 1, version: 3 }],
    })
})
