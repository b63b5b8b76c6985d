import { Type } from '@sinclair/typebox'
import { Cursor, Nullable, Timestamp, Uuid } from '../schemas'

export const MarkBody = Type.Object({
  qr_payload: Type.String({ maxLength: 2048 }),
  location: Type.Optional(
    Nullable(Type.Object({ lat: Type.Number(), lng: Type.Number(), accuracy_m: Type.Number({ minimum: 0 }) })),
  ),
})
export const Attendance = Type.Object({
  id: Uuid,
  event_id: Uuid,
  user_id: Uuid,
  qr_session_id: Uuid,
  marked_at: Timestamp,
})
export const AttendanceRow = Type.Object({
  ...Attendance.properties,
  full_name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  event_title: Type.Optional(Type.String()),
})
export const RosterQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  cursor: Type.Optional(Cursor),
  /** a page of the roster; a CSV holds every row from the cursor on */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 500 })),
})
export const RosterPage = Type.Object({ items: Type.Array(AttendanceRow), next_cursor: Nullable(Cursor) })
