import { DomainError } from '../decider'

/** Every code the notification commands refuse with. */
export type NotificationRefusal = 'not_found'

export const notificationRefusals = {
  // someone else's notification is as unknown as a missing one
  notFound: (id: string) => new DomainError('not_found', 'No such notification', { notification_id: id }),
}
