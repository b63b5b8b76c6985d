import { attendanceClosed } from '../club-events/lifecycle'
import type { ClubEventState } from '../club-events/state'
import { type ActorMetadata, type Command, type Decider, assertNever } from '../decider'
import { isKeyId, isNonce } from './body'
import { qrRefusals } from './refusals'
import { QR_MAX_LIFETIME_SECONDS } from './signing'
import type { QrIssued, QrRevoked, QrRotated, QrSessionEvent } from './events'
import { evolveQrSession, initialQrSessionState, type QrRotation, type QrSessionState, rotationOf } from './state'

export const QR_TTL_SECONDS = { min: 5, max: QR_MAX_LIFETIME_SECONDS } as const
/** How long a replaced code may still mark: long enough for a scan under way, short enough to stop a photo's reuse. */
export const QR_ROTATION_GRACE_SECONDS = { min: 0, max: 60 } as const

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
    /** the club event's current state: a QR for a missing, deleted, cancelled or completed event is refused */
    club_event: ClubEventState
  },
  ActorMetadata
>
export type RevokeQr = Command<'RevokeQr', { qr_session_id: string }, ActorMetadata>
/** Replace a session by the next one for the same club event (the frontend's "refresh QR"). */
export type RotateQr = Command<
  'RotateQr',
  {
    qr_session_id: string
    /** the next session's id and nonce, drawn by the caller; unused when the session was rotated already */
    next_qr_session_id: string
    next_nonce: string
    /** keyId(QR_SIGNING_SECRET) */
    key_id: string
    /** how long the replaced code still marks (QR_ROTATION_GRACE_SECONDS, applied by the caller) */
    grace_seconds: number
    /** the state of the session's club event: rotating for a deleted, cancelled or completed one is refused, as issuing is */
    club_event: ClubEventState
  },
  ActorMetadata
>
export type QrSessionCommand = IssueQr | RevokeQr | RotateQr

function issue({ data, metadata }: IssueQr, state: QrSessionState): QrIssued[] {
  if (state.status !== 'none') throw qrRefusals.alreadyExists(data.qr_session_id)
  const event = data.club_event
  // the id check guards against a handler that loaded the wrong stream
  if (event.status !== 'active' || event.club_event_id !== data.club_event_id)
    throw qrRefusals.eventNotFound(data.club_event_id)
  // a code for a cancelled or completed event could mark nothing
  const closed = attendanceClosed(event.lifecycle)
  if (closed) throw qrRefusals.eventClosed(closed, data.club_event_id)
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
    case 'rotated': // ends the replaced code's grace at once
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

/**
 * Decided on the replaced session's stream at the revision read, so of two
 * admins refreshing one code at once exactly one rotation is stored. A
 * session rotated already decides nothing: the caller answers with the
 * rotation that stands (the same next session for every retry and loser).
 */
function rotate({ data, metadata }: RotateQr, state: QrSessionState): QrRotated[] {
  if (state.status === 'none') throw qrRefusals.notFound(data.qr_session_id)
  if (rotationOf(state) !== undefined) return []
  const event = data.club_event
  if (event.status !== 'active' || event.club_event_id !== state.club_event_id)
    throw qrRefusals.eventNotFound(state.club_event_id)
  const closed = attendanceClosed(event.lifecycle)
  if (closed) throw qrRefusals.eventClosed(closed, state.club_event_id)
  const grace = data.grace_seconds
  if (!Number.isSafeInteger(grace) || grace < QR_ROTATION_GRACE_SECONDS.min || grace > QR_ROTATION_GRACE_SECONDS.max)
    throw qrRefusals.validation(
      'grace_seconds',
      `grace_seconds must be an integer within ${QR_ROTATION_GRACE_SECONDS.min}..${QR_ROTATION_GRACE_SECONDS.max}`,
    )
  if (data.next_qr_session_id === state.qr_session_id)
    throw qrRefusals.validation('next_qr_session_id', 'the next session needs an id of its own')
  if (!isNonce(data.next_nonce))
    throw qrRefusals.validation('next_nonce', 'nonce must be base64url of at least 16 bytes')
  if (!isKeyId(data.key_id)) throw qrRefusals.validation('key_id', 'key_id must be 16 hex characters')
  const rotatedAt = metadata.now.getTime()
  // the next code lives as long as this one did (issue's bounds hold: this one passed them)
  const ttl = Math.round((Date.parse(state.expires_at) - Date.parse(state.issued_at)) / 1000)
  return [
    {
      type: 'QrRotated',
      data: {
        qr_session_id: state.qr_session_id,
        club_event_id: state.club_event_id,
        next_qr_session_id: data.next_qr_session_id,
        next_nonce: data.next_nonce,
        ttl_seconds: ttl,
        key_id: data.key_id,
        rotated_by: metadata.actor_id,
        rotated_at: new Date(rotatedAt).toISOString(),
        // a revoked code stays revoked: its successor is issued, with no grace for it
        valid_until: new Date(rotatedAt + (state.status === 'revoked' ? 0 : grace * 1000)).toISOString(),
      },
    },
  ]
}

/**
 * The first event of the next session's stream, built from the rotation alone:
 * whoever appends it (the rotating call, or a later one completing a rotation
 * cut short) appends the same session.
 */
export function nextQrIssued(rotation: QrRotation): QrIssued {
  return {
    type: 'QrIssued',
    data: {
      qr_session_id: rotation.next_qr_session_id,
      club_event_id: rotation.club_event_id,
      nonce: rotation.next_nonce,
      issued_at: rotation.rotated_at,
      expires_at: new Date(Date.parse(rotation.rotated_at) + rotation.ttl_seconds * 1000).toISOString(),
      key_id: rotation.key_id,
      issued_by: rotation.rotated_by,
      rotated_from: rotation.qr_session_id,
    },
  }
}

function decide(command: QrSessionCommand, state: QrSessionState): QrSessionEvent[] {
  switch (command.type) {
    case 'IssueQr':
      return issue(command, state)
    case 'RevokeQr':
      return revoke(command, state)
    case 'RotateQr':
      return rotate(command, state)
    default:
      return assertNever(command)
  }
}

export const qrSessionDecider: Decider<QrSessionState, QrSessionCommand, QrSessionEvent> = {
  initialState: initialQrSessionState,
  evolve: evolveQrSession,
  decide,
}
