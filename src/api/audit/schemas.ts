import { Type } from '@sinclair/typebox'
import { Cursor, Limit, Nullable, Timestamp, Uuid } from '../schemas'

/** The API shapes of the audit routes (audit/routes.ts). */
export const AuditQuery = Type.Object({
  action: Type.Optional(
    Type.String({
      pattern: '^[a-z0-9_]{1,64}$',
      description: 'e.g. authn_login_fail, authz_fail, attendance_rejected',
    }),
  ),
  actor_id: Type.Optional(Uuid),
  target_id: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp),
  cursor: Type.Optional(Cursor),
  limit: Type.Optional(Limit),
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: every matching row, newest first' }),
  ),
})

const Text = Nullable(Type.String())

export const AuditEntry = Type.Object({
  id: Uuid,
  at: Timestamp,
  position: Type.String(),
  action: Type.String(),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  actor_id: Text,
  actor_role: Text,
  target_type: Text,
  target_id: Text,
  ip: Text,
  user_agent: Text,
  request_id: Text,
  event_type: Type.String(),
  stream: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
})

export const VerifyAnswer = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  first_broken_position: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  unchained: Type.Integer(),
  head_link: Text,
})

export const EventStreamQuery = Type.Object({
  after: Type.Optional(
    Type.String({
      maxLength: 64,
      pattern: '^[a-z0-9:]*$',
      description: "a line's position; empty or absent: from the start",
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 500 })),
})
