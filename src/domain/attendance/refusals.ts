/** Every code a mark can be refused with. Each refusal is also recorded (AttendanceRejected). */
export type AttendanceRefusal =
  /** malformed, badly signed, or naming an unknown QR session */
  | 'qr_invalid'
  | 'qr_expired'
  | 'qr_revoked'
  | 'event_not_found'
  /** the club event takes no attendance (club-events/lifecycle.ts) */
  | 'event_cancelled'
  | 'event_completed'
  /** the member's attendance stream for this club event already exists */
  | 'already_marked'
  /** a location that is not a position on Earth */
  | 'validation_error'
  | 'location_required'
  | 'location_inaccurate'
  | 'outside_geofence'
