import type { DomainEvent } from '../decider'

export type QrIssued = DomainEvent<
  'QrIssued',
  {
    qr_session_id: string
    club_event_id: string
    nonce: string
    issued_at: string
    expires_at: string
    /** the signing key's id at issue time (keyId of the secret) */
    key_id: string
    issued_by: string
    /** the session this one replaced, when it was issued by a rotation: revoking this one ends that one's grace */
    rotated_from?: string
  }
>

export type QrRevoked = DomainEvent<
  'QrRevoked',
  { qr_session_id: string; club_event_id: string; revoked_by: string; revoked_at: string }
>

/**
 * The session was replaced by the next one. It carries everything the next
 * session's QrIssued is built from (nextQrIssued), so that event can be
 * appended after this one, and appended again by a later call should the
 * process stop in between. The replaced code still marks until `valid_until`.
 */
export type QrRotated = DomainEvent<
  'QrRotated',
  {
    qr_session_id: string
    club_event_id: string
    next_qr_session_id: string
    next_nonce: string
    /** the next session's lifetime: the replaced session's own */
    ttl_seconds: number
    /** the key the next session's payload is signed with */
    key_id: string
    rotated_by: string
    rotated_at: string
    /** rotated_at + the grace (QR_ROTATION_GRACE_SECONDS); rotated_at for a revoked session, which gets none */
    valid_until: string
  }
>

export type QrSessionEvent = QrIssued | QrRevoked | QrRotated

export const qrSessionStream = (id: string): string => `qr_session-${id}`
