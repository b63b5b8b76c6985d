import { Type } from '@sinclair/typebox'
import { CLUB_EVENT_LIFECYCLES } from '../../domain/club-events/lifecycle'
import { Nullable, Timestamp, Uuid } from '../schemas'

// Shapes only; the domain validates meaning (window order, geofence ranges).
const Geofence = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
  radius_m: Type.Number({ minimum: 10, maximum: 10000 }),
})
/** The club's status of an event (its lifecycle); nothing moves it but an admin. */
export const ClubEventStatus = Type.Union(
  CLUB_EVENT_LIFECYCLES.map((s) => Type.Literal(s)),
  { description: 'scheduled, active, completed or cancelled; cancelled and completed events take no attendance' },
)
const fields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  starts_at: Timestamp,
  ends_at: Timestamp,
  location: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  notes: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  geofence: Type.Optional(Nullable(Geofence)),
}
export const CreateClubEventBody = Type.Object({
  ...fields,
  ends_at: Type.Optional(
    Type.String({
      format: 'date-time',
      description: 'left out: EVENT_DEFAULT_DURATION_MINUTES (120) after starts_at, an event of one start only',
    }),
  ),
  status: Type.Optional(ClubEventStatus),
})
export const UpdateClubEventBody = Type.Object(
  {
    title: Type.Optional(fields.title),
    starts_at: Type.Optional(Timestamp),
    ends_at: Type.Optional(Timestamp),
    location: fields.location,
    notes: fields.notes,
    description: fields.description,
    geofence: fields.geofence,
  },
  { minProperties: 1 },
)
export const ClubEventStatusBody = Type.Object({ status: ClubEventStatus })
export const ClubEvent = Type.Object({
  id: Uuid,
  title: Type.String(),
  starts_at: Timestamp,
  ends_at: Timestamp,
  location: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  description: Nullable(Type.String()),
  geofence: Nullable(Type.Object({ lat: Type.Number(), lng: Type.Number(), radius_m: Type.Number() })),
  status: ClubEventStatus,
  created_by: Uuid,
  created_at: Timestamp,
})
export const ClubEventWithCount = Type.Object({ ...ClubEvent.properties, attendance_count: Type.Integer() })
export const ListEventsQuery = Type.Object({
  when: Type.Optional(Type.Union([Type.Literal('upcoming'), Type.Literal('past')])),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  // no default: a list asked without when, cursor or limit is the club's whole list
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
})
