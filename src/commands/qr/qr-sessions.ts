import { randomBytes } from 'node:crypto'
import { clubEventDecider } from '../../domain/club-events/decide'
import { clubEventStream } from '../../domain/club-events/events'
import { qrSessionDecider } from '../../domain/qr/decide'
import { qrSessionStream } from '../../domain/qr/events'
import { type QrKeys, keyId, qrPayloadFor } from '../../domain/qr/signing'
import { type ActorContext, type CommandDeps, commandMetadata } from '../context'
import { handleCommand, loadState } from '../handle'

export interface QrDeps extends CommandDeps {
  /** the mark hot path's cache: every process refuses a revoked code at once */
  cache: { forgetQrSession(id: string): Promise<void> }
  /** current QR key, and the previous one during a rotation */
  qrKeys: QrKeys
  /** default QR lifetime (QR_EXPIRY_SECONDS) */
  qrTtlSeconds: number
}

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
        nonce: randomBytes(16).toString('base64url'),
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
  return {
    id,
    event_id: issued.data.club_event_id,
    payload: qrPayloadFor(issued.data, deps.qrKeys.current),
    expires_at: issued.data.expires_at,
  }
}

export async function revokeQr(deps: QrDeps, id: string, ctx: ActorContext): Promise<void> {
  await handleCommand(
    deps,
    qrSessionStream(id),
    qrSessionDecider,
    { type: 'RevokeQr', data: { qr_session_id: id }, metadata: commandMetadata(ctx, deps.sources) },
    ctx,
  )
  // every process refuses the code from now on, without waiting for the feed
  await deps.cache.forgetQrSession(id)
}
