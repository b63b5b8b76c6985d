/** Every code a mark can be refused with, and the HTTP status it maps to. */
export const ATTENDANCE_ERROR_STATUS = {
  /** malformed, badly signed, or naming an unknown QR session */
  qr_invalid: 400,
  qr_expired: 410,
  qr_revoked: 410,
  event_not_found: 404,
  /** raised by the handler: the attendance stream already exists */
  already_marked: 409,
  /** a location that is not a position on Earth */
  validation_error: 400,
  location_required: 400,
  location_inaccurate: 400,
  outside_geofence: 403,
} as const

export type AttendanceErrorCode = keyof typeof ATTENDANCE_ERROR_STATUS
