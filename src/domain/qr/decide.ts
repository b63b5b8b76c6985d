import type { ClubEventState } from '../club-events/state'
import { type ActorMetadata, type Command, type Decider, assertNever } from '../decider'
import { isKeyId, isNonce } from './body'
import { qrRefusals } from './refusals'
import { QR_MAX_LIFETIME_SECONDS } from './signing'
import type { QrIssued, QrRevoked, QrSessionEvent } from './events'
import { evolveQrSession, initialQrSessionState, type QrSessionState } from './state'

export const QR_TTL_SECONDS = { min: 5, max: QR_MAX_LIFETIME_SECONDS } as const

export type IssueQr = Command<
  'IssueQr',
  {
    qr_session_id: string
    club_event_id: string
    /** base64url of >= 16 random bytes, drawn by the caller */
    nonce: string
    /** the caller applies the configured default (QR_EXPIRY_SECONDS) */
    ttl_seconds: number
    /** keyId(QR_SIGNING_SECRET) */
    key_id: string
    /** the club event's current state: a QR for a missing or deleted event is refused */
    club_event: ClubEventState
  },
  ActorMetadata
>
export type RevokeQr = Command<'RevokeQr', { qr_session_id: string }, ActorMetadata>
export type QrSessionCommand = IssueQr | RevokeQr

function issue({ data, metadata }: IssueQr, state: QrSessionState): QrIssued[] {
  if (state.status !== 'none') throw qrRefusals.alreadyExists(data.qr_session_id)
  const event = data.club_event
  // the id check guards against a handler that loaded the wrong stream
  if (event.status !== 'active' || event.club_event_id !== data.club_event_id)
    throw qrRefusals.eventNotFound(data.club_event_id)
  const ttl = data.ttl_seconds
  if (!Number.isSafeInteger(ttl) || ttl < QR_TTL_SECONDS.min || ttl > QR_TTL_SECONDS.max) {
    throw qrRefusals.validation(
      'ttl_seconds',
      `ttl_seconds must be an integer within ${QR_TTL_SECONDS.min}..${QR_TTL_SECONDS.max}`,
    )
  }
  if (!isNonce(data.nonce)) throw qrRefusals.validation('nonce', 'nonce must be base64url of at least 16 bytes')
  if (!isKeyId(data.key_id)) throw qrRefusals.validation('key_id', 'key_id must be 16 hex characters')
  const issuedAt = metadata.now.getTime()
  return [
    {
      type: 'QrIssued',
      data: {
        qr_session_id: data.qr_session_id,
        club_event_id: data.club_event_id,
        nonce: data.nonce,
        issued_at: new Date(issuedAt).toISOString(),
        expires_at: new Date(issuedAt + ttl * 1000).toISOString(),
        key_id: data.key_id,
        issued_by: metadata.actor_id,
      },
    },
  ]
}

function revoke({ data, metadata }: RevokeQr, state: QrSessionState): QrRevoked[] {
  switch (state.status) {
    case 'none':
      throw qrRefusals.notFound(data.qr_session_id)
    case 'revoked':
      return [] // revoking is idempotent: a retried request changes nothing
    case 'issued':
      return [
        {
          type: 'QrRevoked',
          data: {
            qr_session_id: state.qr_session_id,
            club_event_id: state.club_event_id,
            revoked_by: metadata.actor_id,
            revoked_at: metadata.now.toISOString(),
          },
        },
      ]
    default:
      return assertNever(state)
  }
}

function decide(command: QrSessionCommand, state: QrSessionState): QrSessionEvent[] {
  switch (command.type) {
    case 'IssueQr':
      return issue(command, state)
    case 'RevokeQr':
      return revoke(command, state)
    default:
      return assertNever(command)
  }
}

export const qrSessionDecider: Decider<QrSessionState, QrSessionCommand, QrSessionEvent> = {
  initialState: initialQrSessionState,
  evolve: evolveQrSession,
  decide,
}
