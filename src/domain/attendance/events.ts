import type { DomainEvent } from '../decider'
import type { AttendanceRefusal } from './refusals'

export interface StudentLocation {
  lat: number
  lng: number
  /** the phone's reported accuracy: the radius of its 68 % confidence circle, in metres */
  accuracy_m: number
}

export type AttendanceMarked = DomainEvent<
  'AttendanceMarked',
  {
    attendance_id: string
    club_event_id: string
    user_id: string
    qr_session_id: string
    nonce: string
    marked_at: string
    location: StudentLocation | null
  }
>

/** A refused mark, kept for the audit log. Ids are null when the payload never authenticated. */
export type AttendanceRejected = DomainEvent<
  'AttendanceRejected',
  {
    club_event_id: string | null
    user_id: string
    qr_session_id: string | null
    reason: AttendanceRefusal
    detail: string
    rejected_at: string
  }
>

/**
 * One stream per (club event, student), appended with expected revision
 * no_stream: the store, not a read model, enforces one mark per student, and a
 * WrongExpectedVersion there is 'already_marked'.
 */
export const attendanceStream = (eventId: string, userId: string): string => `attendance-${eventId}-${userId}`

/** A member's refused marks: a log stream, apart from the attendance streams whose `no_stream` append is the invariant. */
export const rejectionStream = (userId: string): string => `attendance_rejections-${userId}`
