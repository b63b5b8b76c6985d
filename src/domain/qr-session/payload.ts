import { signQrPayload } from '../qr/payload'
import type { QrIssued } from './events'

const unixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000)

/**
 * The string the QR code encodes, rebuilt from the event whenever it is
 * needed, so the payload itself is never stored. It is signed with `secret`
 * (the current key): after a rotation the kid it carries may differ from the
 * event's key_id, and it still verifies.
 */
export function qrPayloadFor(issued: QrIssued['data'], secret: string): string {
  return signQrPayload(
    {
      sid: issued.qr_session_id,
      eid: issued.club_event_id,
      n: issued.nonce,
      iat: unixSeconds(issued.issued_at),
      exp: unixSeconds(issued.expires_at),
    },
    secret,
  )
}
