import { randomBytes } from 'node:crypto'
import {
  clubEventDecider,
  type ClubEventFields,
  type ClubEventInput,
  type ClubEventState,
  clubEventStream,
} from '../../domain/club-event'
import { keyId } from '../../domain/qr'
import { qrPayloadFor, qrSessionDecider, qrSessionStream } from '../../domain/qr-session'
import type { CommandContext } from '../context'
import { handleCommand, loadState } from '../handle'
import type { AttendanceDeps } from './deps'

type Actor = CommandContext & { actor_id: string }

export function clubEventView(s: Extract<ClubEventState, { status: 'active' | 'deleted' }>) {
  return {
    id: s.club_event_id,
    title: s.title,
    starts_at: s.starts_at,
    ends_at: s.ends_at,
    location: s.location,
    notes: s.notes,
    geofence: s.geofence,
    created_by: s.created_by,
    created_at: s.created_at,
  }
}

function meta(deps: AttendanceDeps, ctx: Actor) {
  return { actor_id: ctx.actor_id, now: deps.sources.now() }
}

export async function createClubEvent(deps: AttendanceDeps, input: ClubEventInput, ctx: Actor) {
  const id = deps.sources.uuid()
  const { after } = await handleCommand(
    deps,
    clubEventStream(id),
    clubEventDecider,
    { type: 'CreateClubEvent', data: { ...input, club_event_id: id }, metadata: meta(deps, ctx) },
    ctx,
  )
  if (after.status !== 'active') throw new Error('unreachable: a created club event is active')
  return clubEventView(after)
}

export async function updateClubEvent(deps: AttendanceDeps, id: string, changes: Partial<ClubEventFields>, ctx: Actor) {
  const { after } = await handleCommand(
    deps,
    clubEventStream(id),
    clubEventDecider,
    { type: 'UpdateClubEvent', data: { club_event_id: id, changes }, metadata: meta(deps, ctx) },
    ctx,
  )
  deps.cache.forgetClubEvent(id)
  if (after.status !== 'active') throw new Error('unreachable: an updated club event is active')
  return clubEventView(after)
}

export async function deleteClubEvent(deps: AttendanceDeps, id: string, ctx: Actor): Promise<void> {
  await handleCommand(
    deps,
    clubEventStream(id),
    clubEventDecider,
    { type: 'DeleteClubEvent', data: { club_event_id: id }, metadata: meta(deps, ctx) },
    ctx,
  )
  deps.cache.forgetClubEvent(id)
}

export async function issueQr(deps: AttendanceDeps, input: { event_id: string; ttl_seconds?: number }, ctx: Actor) {
  const clubEvent = await loadState(deps.store, clubEventStream(input.event_id), clubEventDecider)
  const id = deps.sources.uuid()
  const { events } = await handleCommand(
    deps,
    qrSessionStream(id),
    qrSessionDecider,
    {
      type: 'IssueQr',
      data: {
        qr_session_id: id,
        club_event_id: input.event_id,
        nonce: randomBytes(16).toString('base64url'),
        ttl_seconds: input.ttl_seconds ?? deps.qrTtlSeconds,
        key_id: keyId(deps.qrKeys.current),
        club_event: clubEvent,
      },
      metadata: meta(deps, ctx),
    },
    ctx,
  )
  const issued = events[0]
  if (!issued || issued.type !== 'QrIssued') throw new Error('unreachable: IssueQr emits QrIssued')
  return {
    id,
    event_id: issued.data.club_event_id,
    payload: qrPayloadFor(issued.data, deps.qrKeys.current),
    expires_at: issued.data.expires_at,
  }
}

export async function revokeQr(deps: AttendanceDeps, id: string, ctx: Actor): Promise<void> {
  await handleCommand(
    deps,
    qrSessionStream(id),
    qrSessionDecider,
    { type: 'RevokeQr', data: { qr_session_id: id }, metadata: meta(deps, ctx) },
    ctx,
  )
  // this process refuses the code from now on; others learn of it through the feed
  deps.cache.forgetQrSession(id)
}
