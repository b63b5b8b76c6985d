import type { ActorMetadata, Command } from '../decider'
import type { ClubEventStatusChanged } from './events'
import { type ClubEventLifecycle, validLifecycle } from './lifecycle'
import { clubEventRefusals } from './refusals'
import type { ClubEventState } from './state'

/** An admin sets the club's status of an event: complete, cancel, start, revert. */
export type ChangeClubEventStatus = Command<
  'ChangeClubEventStatus',
  { club_event_id: string; lifecycle: ClubEventLifecycle },
  ActorMetadata
>

export function statusChanged(
  clubEventId: string,
  from: ClubEventLifecycle,
  to: ClubEventLifecycle,
  metadata: ActorMetadata,
): ClubEventStatusChanged {
  return {
    type: 'ClubEventStatusChanged',
    data: {
      club_event_id: clubEventId,
      from,
      to,
      changed_by: metadata.actor_id,
      changed_at: metadata.now.toISOString(),
    },
  }
}

/**
 * Every status may follow every other; the rules are only that the event
 * exists and that asking for the status it has changes nothing (a retried or
 * doubled click answers 200 and stores nothing). Why no transition is refused:
 * - the club's frontend offers "Mark as completed" on every event not yet
 *   completed, and "Revert to scheduled" on every completed one, so both must
 *   work from wherever the event stands;
 * - cancelled → completed is allowed: the frontend offers it on a cancelled
 *   event and has no other way back, and an event cancelled by mistake and
 *   held after all is exactly that case. The history keeps `from` and `to`,
 *   so the audit log shows the path an event took.
 * What a status means for QR codes and marks is lifecycle.ts's attendanceClosed.
 */
export function changeStatus(
  { data, metadata }: ChangeClubEventStatus,
  state: ClubEventState,
): ClubEventStatusChanged[] {
  if (state.status !== 'active') throw clubEventRefusals.notFound(data.club_event_id)
  const to = validLifecycle(data.lifecycle)
  if (to === state.lifecycle) return []
  return [statusChanged(data.club_event_id, state.lifecycle, to, metadata)]
}
