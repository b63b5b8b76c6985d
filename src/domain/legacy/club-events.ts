import { type ClubEventLifecycle, INITIAL_LIFECYCLE } from '../club-events/lifecycle'
import { type ClubEventEvent, clubEventStream } from '../club-events/events'
import { optionalText, validTitle } from '../club-events/validate'
import { entityId } from './ids'
import type { PlanContext } from './plan-types'
import type { LegacyClubEvent } from './snapshot'
import { firstAdmin, type UserMap } from './users'

/** v1's statuses (SQLAlchemy names or values) and v2 PostgreSQL's, onto our lifecycle. */
const LIFECYCLE: Record<string, ClubEventLifecycle> = {
  upcoming: 'scheduled',
  scheduled: 'scheduled',
  ongoing: 'active',
  active: 'active',
  completed: 'completed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
}

export interface ImportedClubEvent {
  id: string
  /** who created it here: the issuer of its sessions when the source names none */
  creator: string
}

/** Text the live service would refuse (too long, control characters) is kept only as far as it fits, and reported. */
function fitted(
  ctx: PlanContext,
  e: LegacyClubEvent,
  field: 'notes' | 'description',
  value: string | null,
): string | null {
  try {
    return optionalText(field, value)
  } catch (err) {
    ctx.report.note('events', e.id, 'text_dropped', `${field}: ${(err as Error).message}`)
    return null
  }
}

/**
 * Each club event, created as it stands in the source (the portal kept no
 * edits, only the last state) at its creation time; a status other than
 * scheduled becomes a status change; a deleted event is deleted, but only
 * after its marks (phase 'deletions'), as it was in the portal.
 */
export function planClubEvents(
  ctx: PlanContext,
  events: LegacyClubEvent[],
  users: UserMap,
): Map<string, ImportedClubEvent> {
  const out = new Map<string, ImportedClubEvent>()
  const fallbackCreator = firstAdmin(users)
  for (const e of events) {
    if (!e.starts_at) {
      ctx.report.skip('events', e.id, 'invalid_time', 'the event has no readable date')
      continue
    }
    let title: string
    try {
      title = validTitle(e.title ?? '')
    } catch {
      title = (e.title ?? '').trim().slice(0, 200) || `Event ${e.id}`
      ctx.report.note('events', e.id, 'title_replaced', 'the title was empty or unusable')
    }
    const id = entityId(ctx.opts.source, 'events', e.id)
    const creator = (e.created_by && users.imported.get(e.created_by)?.id) || fallbackCreator
    const createdAt = e.created_at ?? e.starts_at
    const endsAt = new Date(Date.parse(e.starts_at) + ctx.opts.eventDurationMinutes * 60_000).toISOString()
    const ev = (step: string, at: string, x: ClubEventEvent) =>
      ctx.event('events', e.id, step, at, x, { actor_id: creator })
    const stream = [
      ev('created', createdAt, {
        type: 'ClubEventCreated',
        data: {
          club_event_id: id,
          title,
          starts_at: e.starts_at,
          ends_at: endsAt,
          location: null,
          notes: fitted(ctx, e, 'notes', e.notes),
          description: fitted(ctx, e, 'description', e.description),
          geofence: null,
          created_by: creator,
          created_at: createdAt,
        },
      }),
    ]
    const lifecycle = e.status === null ? INITIAL_LIFECYCLE : LIFECYCLE[e.status]
    if (!lifecycle) ctx.report.note('events', e.id, 'unknown_status', `status ${e.status}: imported as scheduled`)
    if (lifecycle && lifecycle !== INITIAL_LIFECYCLE) {
      const at = e.updated_at && e.updated_at > createdAt ? e.updated_at : createdAt
      stream.push(
        ev('status', at, {
          type: 'ClubEventStatusChanged',
          data: { club_event_id: id, from: INITIAL_LIFECYCLE, to: lifecycle, changed_by: creator, changed_at: at },
        }),
      )
    }
    ctx.append({
      phase: 'club_events',
      stream: clubEventStream(id),
      expected: 'no_stream',
      table: 'events',
      legacy_id: e.id,
      events: stream,
    })
    const deletedAt = e.deleted ? (e.deleted_at ?? e.updated_at ?? createdAt) : null
    if (deletedAt)
      ctx.append({
        phase: 'deletions',
        stream: clubEventStream(id),
        expected: BigInt(stream.length - 1),
        table: 'events',
        legacy_id: e.id,
        events: [
          ev('deleted', deletedAt, {
            type: 'ClubEventDeleted',
            data: { club_event_id: id, deleted_by: creator, deleted_at: deletedAt },
          }),
        ],
      })
    out.set(e.id, { id, creator })
    ctx.report.imported('events')
    ctx.expect('events', 'club_events', id)
  }
  return out
}
