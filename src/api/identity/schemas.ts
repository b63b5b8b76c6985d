import { Type } from '@sinclair/typebox'
import { Nullable, Timestamp, Uuid } from '../schemas'

// Strings are bounded here; the domain applies the real rules (email grammar,
// password policy) and answers with its own codes.
export const SignupBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    full_name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
)
export const LoginBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
)
export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
)

export const Role = Type.Union([Type.Literal('student'), Type.Literal('admin')])
export const User = Type.Object({
  id: Uuid,
  email: Type.String(),
  full_name: Type.String(),
  role: Nullable(Role),
  status: Type.String(),
})
const ApprovalRequestBrief = Type.Object({ id: Uuid, status: Type.String(), expires_at: Timestamp })
export const SignupResponse = Type.Object({
  user: Type.Object({ id: Uuid, email: Type.String(), full_name: Type.String(), status: Type.Literal('pending') }),
  approval_request: ApprovalRequestBrief,
})
export const TokenResponse = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
})
export const LoginResponse = Type.Object({ ...TokenResponse.properties, user: User })

export const ApprovalRequest = Type.Object({
  id: Uuid,
  user_id: Uuid,
  email: Type.String(),
  full_name: Type.String(),
  status: Type.String(),
  requested_at: Timestamp,
  expires_at: Timestamp,
  decided_at: Nullable(Timestamp),
  decided_by: Nullable(Type.String()),
  reason: Nullable(Type.String()),
})
export const DecideBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    role: Type.Optional(Role),
  },
  { additionalProperties: false },
)
export const ApprovalListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([
        Type.Literal('pending'),
        Type.Literal('approved'),
        Type.Literal('rejected'),
        Type.Literal('expired'),
      ]),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
)
