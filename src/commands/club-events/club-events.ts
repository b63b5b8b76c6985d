import { clubEventDecider, type ClubEventInput } from '../../domain/club-events/decide'
import { type ClubEventFields, clubEventStream } from '../../domain/club-events/events'
import type { ClubEventLifecycle } from '../../domain/club-events/lifecycle'
import type { ClubEventState } from '../../domain/club-events/state'
import { type ActorContext, type CommandDeps, commandMetadata } from '../context'
import { handleCommand } from '../handle'

export interface ClubEventDeps extends CommandDeps {
  /** the mark hot path's cache: every process drops an edited or deleted club event at once */
  cache: { forgetClubEvent(id: string): Promise<void> }
}

/** A club event as its own stream says it is now (the command's answer; lists read the projection). */
function clubEventView(s: ClubEventState) {
  if (s.status !== 'active') throw new Error('unreachable: a created or updated club event is active')
  return {
    id: s.club_event_id,
    title: s.title,
    starts_at: s.starts_at,
    ends_at: s.ends_at,
    location: s.location,
    notes: s.notes,
    description: s.description,
    geofence: s.geofence,
    status: s.lifecycle,
    created_by: s.created_by,
    created_at: s.created_at,
  }
}

export async function createClubEvent(
  deps: ClubEventDeps,
  input: ClubEventInput,
  ctx: ActorContext,
  /** the length of an event given no end (EVENT_DEFAULT_DURATION_MINUTES); without it an end is required */
  opts: { defaultLengthMinutes?: number } = {},
) {
  const id = deps.sources.uuid()
  const { after } = await handleCommand(
    deps,
    clubEventStream(id),
    clubEventDecider,
    {
      type: 'CreateClubEvent',
      data: { ...input, club_event_id: id, default_length_minutes: opts.defaultLengthMinutes },
      metadata: commandMetadata(ctx, deps.sources),
    },
    ctx,
  )
  return clubEventView(after)
}

export async function updateClubEvent(
  deps: ClubEventDeps,
  id: string,
  changes: Partial<ClubEventFields>,
  ctx: ActorContext,
  opts: { keepLength?: boolean } = {},
) {
  const { after } = await handleCommand(
    deps,
    clubEventStream(id),
    clubEventDecider,
    {
      type: 'UpdateClubEvent',
      data: { club_event_id: id, changes, keep_length: opts.keepLength ?? false },
      metadata: commandMetadata(ctx, deps.sources),
    },
    ctx,
  )
  await deps.cache.forgetClubEvent(id)
  return clubEventView(after)
}

/** Sets the club's status of an event; the status it has already changes nothing and still answers the event. */
export async function changeClubEventStatus(
  deps: ClubEventDeps,
  id: string,
  lifecycle: ClubEventLifecycle,
  ctx: ActorContext,
) {
  const { after, events } = await handleCommand(
    deps,
    clubEventStream(id),
    clubEventDecider,
    {
      type: 'ChangeClubEventStatus',
      data: { club_event_id: id, lifecycle },
      metadata: commandMetadata(ctx, deps.sources),
    },
    ctx,
  )
  // a scan anywhere must see a cancelled or completed event at once, not after the feed
  if (events.length > 0) await deps.cache.forgetClubEvent(id)
  return clubEventView(after)
}

export async function deleteClubEvent(deps: ClubEventDeps, id: string, ctx: ActorContext): Promise<void> {
  await handleCommand(
    deps,
    clubEventStream(id),
    clubEventDecider,
    { type: 'DeleteClubEvent', data: { club_event_id: id }, metadata: commandMetadata(ctx, deps.sources) },
    ctx,
  )
  await deps.cache.forgetClubEvent(id)
}
