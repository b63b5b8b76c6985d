import { Type } from '@sinclair/typebox'
import { Nullable, Timestamp, Uuid } from '../schemas'

// Strings are bounded here; the domain applies the real rules (email grammar,
// password policy) and answers with its own codes.
export const SignupBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  full_name: Type.String({ minLength: 1, maxLength: 200 }),
})
/** `username` is the club's form field for the email (OAuth2's password form) */
export const LoginBody = Type.Object({
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
})
export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 200 }) })

export const Role = Type.Union([Type.Literal('student'), Type.Literal('admin')])
const User = Type.Object({
  id: Uuid,
  email: Type.String(),
  full_name: Type.String(),
  role: Nullable(Role),
  status: Type.String(),
})
const ApprovalRequestBrief = Type.Object({ id: Uuid, status: Type.String(), expires_at: Timestamp })

export const SignupResponse = Type.Object({
  message: Type.String(),
  user_id: Uuid,
  approval_request_id: Uuid,
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
  role: Nullable(Role),
})
/** a request as the club's pending list reads it: the user nested, its own status names, a countdown */
export const ClubApprovalRequest = Type.Object({
  id: Uuid,
  user: Type.Object({ id: Uuid, email: Type.String(), full_name: Type.String(), created_at: Nullable(Timestamp) }),
  status: Type.String(),
  requested_at: Timestamp,
  expires_at: Timestamp,
  time_remaining_seconds: Type.Integer(),
  decided_at: Nullable(Timestamp),
  approved_role: Nullable(Role),
  rejection_reason: Nullable(Type.String()),
})
/** ours (`approve`, `role`, `reason`) and the club's (`approved`, `approved_role`, `rejection_reason`) */
export const DecideBody = Type.Object({
  decision: Type.Union([
    Type.Literal('approve'),
    Type.Literal('reject'),
    Type.Literal('approved'),
    Type.Literal('rejected'),
  ]),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
  rejection_reason: Type.Optional(Type.String({ maxLength: 500 })),
  role: Type.Optional(Role),
  approved_role: Type.Optional(Role),
})
const STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const
/** ours (`status`, `cursor`) and the club's (`status_filter`, lower or upper case, `timeout` for expired; `page`) */
export const ApprovalListQuery = Type.Object({
  status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
  status_filter: Type.Optional(
    Type.Union([...STATUSES, 'timeout'].flatMap((s) => [Type.Literal(s), Type.Literal(s.toUpperCase())])),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
})

/** The profile fields and their limits (the domain enforces them too: domain/identity/profile.ts). */
const profileText = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })))
const ProfileFields = {
  section: Nullable(Type.String({ maxLength: 50 })),
  branch: Nullable(Type.String({ maxLength: 100 })),
  year: Nullable(Type.String({ maxLength: 20 })),
  bio: Nullable(Type.String({ maxLength: 300 })),
  skills: Type.Array(Type.String({ maxLength: 50 }), { maxItems: 8 }),
}
export const Profile = Type.Object({
  id: Uuid,
  email: Type.String(),
  full_name: Type.String(),
  ...ProfileFields,
  created_at: Nullable(Timestamp),
})
/** Any subset; what the club's form echoes (`id`, `email`, `created_at`) is ignored, and the email never changes here. */
export const ProfileBody = Type.Object({
  full_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  section: profileText(50),
  branch: profileText(100),
  year: profileText(20),
  bio: profileText(300),
  skills: Type.Optional(Nullable(ProfileFields.skills)),
})

export const Member = Type.Object({
  id: Uuid,
  email: Type.String(),
  full_name: Type.String(),
  role: Role,
  is_active: Type.Boolean(),
  joined_at: Timestamp,
  approved_at: Timestamp,
  attended: Type.Integer(),
  total_events: Type.Integer(),
  attendance_rate: Type.Number(),
})
/** the club's member row reads `name` */
export const ClubMember = Type.Object({ ...Member.properties, name: Type.String() })
export const MemberListQuery = Type.Object({
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  role: Type.Optional(Role),
  active: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
})
export const MembershipChange = Type.Object({ user_id: Uuid, is_active: Type.Boolean(), message: Type.String() })

export const Me = Type.Object({
  ...User.properties,
  is_active: Type.Boolean(),
  approval_status: Type.Null(),
  created_at: Nullable(Timestamp),
  ...ProfileFields,
})
