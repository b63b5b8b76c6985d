import { uuidV5 } from '../uuid'

/**
 * What each notification says, and its id. Pure: the projection calls these
 * while replaying, so a rebuild writes the same words and ids.
 */

// a fixed namespace: changing it would change every notification id on the next rebuild
const NAMESPACE = Buffer.from('b7a1c0de5e1f4a6b8c2d9e0f1a2b3c4d', 'hex')

/** RFC 4122 version-5-style UUID of the parts (an event id and a recipient, or a coalescing key). */
export function notificationId(...parts: string[]): string {
  return uuidV5(NAMESPACE, parts.join('\u0000'))
}

export type NotificationType =
  | 'signup_requested'
  | 'membership_deactivated'
  | 'membership_reactivated'
  | 'membership_removed'
  | 'approval_approved'
  | 'approval_rejected'
  | 'approval_expired'
  | 'attendance_marked'
  | 'club_event_cancelled'
  /** imported from the original portal, of a kind we do not send */
  | 'legacy_notice'

export interface NotificationText {
  title: string
  body: string
}

export function signupText(fullName: string, email: string, expiresAt: string): NotificationText {
  return {
    title: `New signup: ${fullName}`,
    body: `${fullName} <${email}> asked to join the club. Decide before ${expiresAt} or the request expires.`,
  }
}

export function decisionText(decision: 'approved' | 'rejected', reason: string | null): NotificationText {
  if (decision === 'approved')
    return {
      title: 'Your membership was approved',
      body: 'Welcome to the club: you can now sign in and mark attendance.',
    }
  return {
    title: 'Your membership request was declined',
    body: reason ? `Reason: ${reason}` : 'An admin declined the request.',
  }
}

/** To the member whose membership an admin changed; a deactivation or removal also ends their open streams. */
export function membershipText(
  change: 'deactivated' | 'reactivated' | 'removed',
  reason: string | null,
): NotificationText {
  const why = reason ? ` Reason: ${reason}` : ''
  switch (change) {
    case 'deactivated':
      return { title: 'Your membership was deactivated', body: `An admin deactivated your account.${why}` }
    case 'reactivated':
      return {
        title: 'Your membership was reactivated',
        body: 'Welcome back: you can sign in and mark attendance again.',
      }
    case 'removed':
      return { title: 'You were removed from the club', body: `An admin removed your membership.${why}` }
  }
}

export function expiryText(): NotificationText {
  return { title: 'Your membership request expired', body: 'No admin decided in time. You may sign up again.' }
}

/** The start of the minute a mark falls in: marks of one club event in one minute share a notification. */
export function attendanceWindow(markedAt: string): string {
  const ms = Date.parse(markedAt)
  return new Date(ms - (((ms % 60_000) + 60_000) % 60_000)).toISOString()
}

export function attendanceText(count: number, clubEventTitle: string, windowStart: string): NotificationText {
  const who = count === 1 ? '1 member' : `${count} members`
  return {
    title: `${who} marked attendance at ${clubEventTitle}`,
    body: `Attendance marked in the minute from ${windowStart.slice(11, 16)} UTC on ${windowStart.slice(0, 10)}.`,
  }
}

/** To a member who marked attendance at a club event that was then cancelled. */
export function cancelledText(clubEventTitle: string): NotificationText {
  return {
    title: `${clubEventTitle} was cancelled`,
    body: `An admin cancelled ${clubEventTitle}, where you had marked attendance. Your mark stays on record.`,
  }
}
