import type { AttendanceRefusal } from './attendance/refusals'
import type { ClubEventRefusal } from './club-events/refusals'
import type { IdentityRefusal } from './identity/refusals'
import type { NotificationRefusal } from './notifications/refusals'
import type { QrRefusal } from './qr/refusals'
import type { ResourceRefusal } from './resources/refusals'

/**
 * Every code any command may be refused with: the domain's whole refusal
 * vocabulary. The API maps each to an HTTP status in one exhaustive table
 * (api/errors.ts); nothing in the domain knows about HTTP.
 */
export type RefusalCode =
  IdentityRefusal | ClubEventRefusal | QrRefusal | AttendanceRefusal | NotificationRefusal | ResourceRefusal
