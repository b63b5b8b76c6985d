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
  }
>

export type QrRevoked = DomainEvent<
  'QrRevoked',
  { qr_session_id: string; club_event_id: string; revoked_by: string; revoked_at: string }
>

export type QrSessionEvent = QrIssued | QrRevoked

export const qrSessionStream = (id: string): string => `qr_session-${id}`
