import { type ActorMetadata, type Command, type Decider, assertNever } from '../decider'
import { type ChangeClubEventStatus, changeStatus, statusChanged } from './change-status'
import { clubEventRefusals } from './refusals'
import type { ClubEventDeleted, ClubEventEvent, ClubEventFields, ClubEventUpdated, Geofence } from './events'
import { type ClubEventLifecycle, INITIAL_LIFECYCLE, validLifecycle } from './lifecycle'
import { evolveClubEvent, initialClubEventState, type ClubEventState } from './state'
import { endAfter, optionalText, validGeofence, validTime, validTitle, validWindow } from './validate'

/** Input as a client sends it; decide validates and normalises it. */
export type ClubEventInput = Pick<ClubEventFields, 'title' | 'starts_at'> &
  Partial<Pick<ClubEventFields, 'ends_at' | 'location' | 'notes' | 'description' | 'geofence'>> & {
    /** the status it starts in (the club's form may send one); scheduled when left out */
    lifecycle?: ClubEventLifecycle
  }

export type CreateClubEvent = Command<
  'CreateClubEvent',
  ClubEventInput & {
    club_event_id: string
    /** how long an event given no end lasts (EVENT_DEFAULT_DURATION_MINUTES, applied by the caller); without it an end is required */
    default_length_minutes?: number
  },
  ActorMetadata
>
export type UpdateClubEvent = Command<
  'UpdateClubEvent',
  {
    club_event_id: string
    changes: Partial<ClubEventFields>
    /** a new start with no new end moves the end along, keeping the event's length (the club's form has no end) */
    keep_length?: boolean
  },
  ActorMetadata
>
export type DeleteClubEvent = Command<'DeleteClubEvent', { club_event_id: string }, ActorMetadata>
export type ClubEventCommand = CreateClubEvent | UpdateClubEvent | DeleteClubEvent | ChangeClubEventStatus

function endOf(data: CreateClubEvent['data'], startsAt: string): string {
  if (data.ends_at !== undefined) return validTime('ends_at', data.ends_at)
  if (data.default_length_minutes === undefined) throw clubEventRefusals.validation('ends_at', 'ends_at is required')
  return endAfter(startsAt, data.default_length_minutes)
}

/**
 * A status other than scheduled is a second event in the same append: the
 * event is never seen without the status it was created with, and the
 * history says who set it, as for any later change.
 */
function create({ data, metadata }: CreateClubEvent, state: ClubEventState): ClubEventEvent[] {
  if (state.status !== 'none') throw clubEventRefusals.alreadyExists(data.club_event_id)
  const starts_at = validTime('starts_at', data.starts_at)
  const ends_at = endOf(data, starts_at)
  validWindow(starts_at, ends_at)
  const lifecycle = data.lifecycle === undefined ? INITIAL_LIFECYCLE : validLifecycle(data.lifecycle)
  const created: ClubEventEvent = {
    type: 'ClubEventCreated',
    data: {
      club_event_id: data.club_event_id,
      title: validTitle(data.title),
      starts_at,
      ends_at,
      location: optionalText('location', data.location ?? null),
      notes: optionalText('notes', data.notes ?? null),
      description: optionalText('description', data.description ?? null),
      geofence: validGeofence(data.geofence ?? null),
      created_by: metadata.actor_id,
      created_at: metadata.now.toISOString(),
    },
  }
  if (lifecycle === INITIAL_LIFECYCLE) return [created]
  return [created, statusChanged(data.club_event_id, INITIAL_LIFECYCLE, lifecycle, metadata)]
}

const sameGeofence = (a: Geofence | null, b: Geofence | null) =>
  a === b || (a !== null && b !== null && a.lat === b.lat && a.lng === b.lng && a.radius_m === b.radius_m)

/** Validates only the fields present; returns just those that differ from the state. */
function changedFields(changes: Partial<ClubEventFields>, current: ClubEventFields): Partial<ClubEventFields> {
  const out: Partial<ClubEventFields> = {}
  if (changes.title !== undefined) {
    const title = validTitle(changes.title)
    if (title !== current.title) out.title = title
  }
  for (const field of ['starts_at', 'ends_at'] as const) {
    if (changes[field] === undefined) continue
    const time = validTime(field, changes[field])
    if (time !== current[field]) out[field] = time
  }
  for (const field of ['location', 'notes', 'description'] as const) {
    if (changes[field] === undefined) continue
    const value = optionalText(field, changes[field])
    if (value !== current[field]) out[field] = value
  }
  if (changes.geofence !== undefined) {
    const geofence = validGeofence(changes.geofence)
    if (!sameGeofence(geofence, current.geofence)) out.geofence = geofence
  }
  return out
}

function update({ data, metadata }: UpdateClubEvent, state: ClubEventState): ClubEventUpdated[] {
  if (state.status !== 'active') throw clubEventRefusals.notFound(data.club_event_id)
  const asked = { ...data.changes }
  if (data.keep_length && asked.starts_at !== undefined && asked.ends_at === undefined) {
    const length = Date.parse(state.ends_at) - Date.parse(state.starts_at)
    const start = Date.parse(asked.starts_at)
    // an unreadable start is left for the field checks to refuse
    if (Number.isFinite(start)) asked.ends_at = new Date(start + length).toISOString()
  }
  const changes = changedFields(asked, state)
  // the window is checked as it will be after the update, so moving both ends at once works
  validWindow(changes.starts_at ?? state.starts_at, changes.ends_at ?? state.ends_at)
  if (Object.keys(changes).length === 0) return []
  return [
    {
      type: 'ClubEventUpdated',
      data: {
        club_event_id: data.club_event_id,
        changes,
        updated_by: metadata.actor_id,
        updated_at: metadata.now.toISOString(),
      },
    },
  ]
}

function remove({ data, metadata }: DeleteClubEvent, state: ClubEventState): ClubEventDeleted[] {
  if (state.status !== 'active') throw clubEventRefusals.notFound(data.club_event_id)
  return [
    {
      type: 'ClubEventDeleted',
      data: {
        club_event_id: data.club_event_id,
        deleted_by: metadata.actor_id,
        deleted_at: metadata.now.toISOString(),
      },
    },
  ]
}

function decide(command: ClubEventCommand, state: ClubEventState): ClubEventEvent[] {
  switch (command.type) {
    case 'CreateClubEvent':
      return create(command, state)
    case 'UpdateClubEvent':
      return update(command, state)
    case 'DeleteClubEvent':
      return remove(command, state)
    case 'ChangeClubEventStatus':
      return changeStatus(command, state)
    default:
      return assertNever(command)
  }
}

export const clubEventDecider: Decider<ClubEventState, ClubEventCommand, ClubEventEvent> = {
  initialState: initialClubEventState,
  evolve: evolveClubEvent,
  decide,
}
