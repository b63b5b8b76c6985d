import { randomBytes } from 'node:crypto'
import { clubEventDecider } from '../../domain/club-events/decide'
import { clubEventStream } from '../../domain/club-events/events'
import type { ClubEventState } from '../../domain/club-events/state'
import { nextQrIssued, qrSessionDecider } from '../../domain/qr/decide'
import { type QrIssued, qrSessionStream } from '../../domain/qr/events'
import { type QrKeys, keyId, qrPayloadFor } from '../../domain/qr/signing'
import { inGrace, rotationOf } from '../../domain/qr/state'
import { WrongExpectedVersion } from '../../store/event-store'
import { type ActorContext, type CommandDeps, commandMetadata, metadataOf } from '../context'
import { handleCommand, loadState } from '../handle'

export interface QrDeps extends CommandDeps {
  /** the mark hot path's cache: every process refuses a revoked code at once */
  cache: { forgetQrSession(id: string): Promise<void> }
  /** current QR key, and the previous one during a rotation */
  qrKeys: QrKeys
  /** default QR lifetime (QR_EXPIRY_SECONDS) */
  qrTtlSeconds: number
  /** how long a code replaced by rotateQr still marks (QR_ROTATION_GRACE_SECONDS) */
  qrRotationGraceSeconds: number
}

/** A session as a command answers it, with the title of the club event read for the decision (the club's QR page shows it). */
const view = (deps: QrDeps, issued: QrIssued['data'], clubEvent: ClubEventState) => ({
  id: issued.qr_session_id,
  event_id: issued.club_event_id,
  event_title: clubEvent.status === 'active' ? clubEvent.title : '',
  payload: qrPayloadFor(issued, deps.qrKeys.current),
  expires_at: issued.expires_at,
})

const newNonce = () => randomBytes(16).toString('base64url')

export async function issueQr(deps: QrDeps, input: { event_id: string; ttl_seconds?: number }, ctx: ActorContext) {
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
        nonce: newNonce(),
        ttl_seconds: input.ttl_seconds ?? deps.qrTtlSeconds,
        key_id: keyId(deps.qrKeys.current),
        club_event: clubEvent,
      },
      metadata: commandMetadata(ctx, deps.sources),
    },
    ctx,
  )
  const issued = events[0]
  if (!issued || issued.type !== 'QrIssued') throw new Error('unreachable: IssueQr emits QrIssued')
  return view(deps, issued.data, clubEvent)
}

/**
 * The next code for the same club event; the replaced one still marks for the
 * grace. Two appends: the rotation on the replaced session's stream (with the
 * revision read, so one rotation wins a race and every caller answers with
 * it), then the next session's stream, `no_stream`, built from the rotation
 * alone. Should the process stop between them, the next call for the replaced
 * session finds the rotation and appends the next session then.
 */
export async function rotateQr(deps: QrDeps, id: string, ctx: ActorContext) {
  const current = await loadState(deps.store, qrSessionStream(id), qrSessionDecider)
  const clubEvent =
    current.status === 'none'
      ? ({ status: 'none' } as const)
      : await loadState(deps.store, clubEventStream(current.club_event_id), clubEventDecider)
  const { after, events } = await handleCommand(
    deps,
    qrSessionStream(id),
    qrSessionDecider,
    {
      type: 'RotateQr',
      data: {
        qr_session_id: id,
        next_qr_session_id: deps.sources.uuid(),
        next_nonce: newNonce(),
        key_id: keyId(deps.qrKeys.current),
        grace_seconds: deps.qrRotationGraceSeconds,
        club_event: clubEvent,
      },
      metadata: commandMetadata(ctx, deps.sources),
    },
    ctx,
  )
  const rotation = rotationOf(after)
  if (!rotation) throw new Error('unreachable: RotateQr leaves a rotation or refuses')
  // every process reads the replaced session again, and so learns when its grace ends
  if (events.length > 0) await deps.cache.forgetQrSession(id)
  const next = nextQrIssued(rotation)
  try {
    await deps.store.append(
      qrSessionStream(next.data.qr_session_id),
      [{ id: deps.sources.uuid(), type: next.type, data: next.data, metadata: metadataOf(ctx) }],
      { expectedRevision: 'no_stream' },
    )
  } catch (err) {
    // appended already, by the call that rotated or one before this
    if (!(err instanceof WrongExpectedVersion)) throw err
  }
  return view(deps, next.data, clubEvent)
}

/** How many replaced sessions back a revocation looks for one still in its grace. */
const MAX_PREDECESSORS = 10

export async function revokeQr(deps: QrDeps, id: string, ctx: ActorContext): Promise<void> {
  let replaced = await revokeOne(deps, id, ctx)
  // stopping a session stops the code it replaced too, should that still be in its grace
  for (let hops = 0; replaced !== undefined && hops < MAX_PREDECESSORS; hops++) {
    const state = await loadState(deps.store, qrSessionStream(replaced), qrSessionDecider)
    if (state.status !== 'rotated' || !inGrace(state.rotation, deps.sources.now())) return
    replaced = await revokeOne(deps, replaced, ctx)
  }
}

/** Revokes one session; the id of the session it replaced, if a rotation issued it. */
async function revokeOne(deps: QrDeps, id: string, ctx: ActorContext): Promise<string | undefined> {
  const { before } = await handleCommand(
    deps,
    qrSessionStream(id),
    qrSessionDecider,
    { type: 'RevokeQr', data: { qr_session_id: id }, metadata: commandMetadata(ctx, deps.sources) },
    ctx,
  )
  // every process refuses the code from now on, without waiting for the feed
  await deps.cache.forgetQrSession(id)
  return before.status === 'none' ? undefined : before.rotated_from
}
