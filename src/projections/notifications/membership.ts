import type { UserDeactivated, UserReactivated, UserRemoved } from '../../domain/identity/user-events'
import { membershipText, notificationId } from '../../domain/notifications/text'
import type { NewNotification } from './rows'

type MembershipEvent = UserDeactivated | UserReactivated | UserRemoved

/**
 * What a membership change tells the notifications consumer: whether the
 * member is an admin from now on, and the notice they get of it (an open
 * stream ends after a deactivation or removal notice: api/notifications).
 * Pure, so a rebuild writes the same row.
 */
export function membershipNotice(e: MembershipEvent, eventId: string, seq: number) {
  const userId = e.data.user_id
  const [change, reason, at, isAdmin] =
    e.type === 'UserDeactivated'
      ? (['deactivated', e.data.reason, e.data.deactivated_at, false] as const)
      : e.type === 'UserRemoved'
        ? (['removed', e.data.reason, e.data.removed_at, false] as const)
        : (['reactivated', null, e.data.reactivated_at, e.data.role === 'admin'] as const)
  const notice: NewNotification = {
    id: notificationId(eventId, userId),
    user_id: userId,
    type: `membership_${change}`,
    ...membershipText(change, reason),
    data: { user_id: userId },
    at,
    seq,
  }
  return { isAdmin, notice }
}
