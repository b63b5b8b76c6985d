import { Type } from '@sinclair/typebox'
import { TICKET_PATTERN } from '../../platform/stream-tickets'
import { Cursor, Limit, Nullable, Timestamp, Uuid } from '../schemas'

const Notification = Type.Object({
  id: Uuid,
  type: Type.String(),
  title: Type.String(),
  body: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  created_at: Timestamp,
  read_at: Nullable(Timestamp),
})

export const ListNotificationsQuery = Type.Object({
  unread: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Limit),
})

export const NotificationList = Type.Object({
  items: Type.Array(Notification),
  unread_count: Type.Integer(),
  next_cursor: Nullable(Type.String()),
})

export const StreamTicket = Type.Object({ ticket: Type.String(), expires_at: Timestamp })

// only the ticket: an access token has no place in a URL (logs, Referer, history)
export const StreamQuery = Type.Object({ ticket: Type.String({ pattern: TICKET_PATTERN }) })

/** Last-Event-ID as our streams write it: a non-negative integer. */
export const LAST_EVENT_ID = /^\d{1,15}$/
