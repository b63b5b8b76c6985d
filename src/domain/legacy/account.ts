import { validFullName, type ProfileChanges, profileChanges, emptyProfile } from '../identity/profile'
import { type UserState, userDecider } from '../identity/user'
import { type Role, type UserEvent, userIdForEmail } from '../identity/user-events'
import { SYSTEM_ACTOR, fold } from '../decider'
import { isBcryptHash } from '../identity/bcrypt'
import { entityId } from './ids'
import type { PlanContext, PlannedEvent } from './plan-types'
import type { LegacyApproval, LegacyUser } from './snapshot'
import type { UserMap } from './users'

/**
 * One legacy account's history as the user stream's events: the portal's
 * roles and approval requests read into our signup, decision or expiry.
 */

/**
 * Stored instead of a hash nothing here can check: no password matches it, so
 * the member cannot log in until an admin removes the account and they sign up
 * again (docs/migration.md). The legacy hash itself is never kept.
 */
const UNVERIFIABLE_PASSWORD = '!legacy-unverifiable'

export const ROLES: Record<string, Role> = { admin: 'admin', student: 'student', member: 'student' }
const UNAPPROVED = new Set(['pending'])

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString()

function fullName(ctx: PlanContext, u: LegacyUser, email: string): string {
  try {
    return validFullName(u.full_name ?? '')
  } catch {
    ctx.report.note('users', u.id, 'name_replaced', "the name was empty or unusable: the email's local part stands in")
    return email.slice(0, email.indexOf('@')).slice(0, 200)
  }
}

/** Each profile field on its own: one over our limits is dropped and reported, the others kept. */
function profile(ctx: PlanContext, u: LegacyUser): ProfileChanges {
  if (!u.profile) return {}
  const out: ProfileChanges = {}
  const current = { ...emptyProfile(), full_name: '' }
  for (const [field, value] of Object.entries(u.profile) as [keyof typeof u.profile, string | string[] | null][]) {
    try {
      Object.assign(out, profileChanges({ [field]: value }, current))
    } catch (err) {
      ctx.report.note('users', u.id, 'profile_field_dropped', `${field}: ${(err as Error).message}`)
    }
  }
  return out
}

/**
 * One account's history: its signup, the decision on it (or its expiry), its
 * profile, its deactivation. Folded through the user decider at the end, so
 * a stream this writes is one the live service reads as it was meant.
 */
export function accountEvents(
  ctx: PlanContext,
  u: LegacyUser,
  email: string,
  request: LegacyApproval | undefined,
  map: UserMap,
) {
  const userId = userIdForEmail(email)
  const requestId = entityId(ctx.opts.source, request ? 'approval_requests' : 'users_request', request?.id ?? u.id)
  const createdAt = u.created_at ?? request?.requested_at ?? ctx.opts.now.toISOString()
  const requestedAt = request?.requested_at ?? createdAt
  const expiresAt = request?.expires_at ?? plus(requestedAt, ctx.opts.approvalTimeoutMs)
  const verifiable = isBcryptHash(u.password_hash)
  if (!verifiable)
    ctx.report.note(
      'users',
      u.id,
      'password_unverifiable',
      'the password is not a bcrypt hash: the member must reset it',
    )
  const ev = (step: string, at: string, e: UserEvent, actor: string | null = userId) =>
    ctx.event('users', u.id, step, at, e, { actor_id: actor })
  const events: PlannedEvent[] = [
    ev('signup', requestedAt, {
      type: 'SignupRequested',
      data: {
        user_id: userId,
        request_id: requestId,
        email,
        full_name: fullName(ctx, u, email),
        password_hash: verifiable ? u.password_hash : UNVERIFIABLE_PASSWORD,
        requested_at: requestedAt,
        expires_at: expiresAt,
      },
    }),
  ]
  const decidedBy = (id: string | null) => (id && map.imported.get(id)?.id) || SYSTEM_ACTOR
  const role = ROLES[request?.approved_role ?? ''] ?? ROLES[u.role ?? ''] ?? null
  const approve = (at: string, by: string) =>
    ev(
      'decision',
      at,
      {
        type: 'ApprovalDecided',
        data: {
          user_id: userId,
          request_id: requestId,
          decision: 'approved',
          role: role ?? 'student',
          decided_by: by,
          reason: null,
          decided_at: at,
        },
      },
      by,
    )
  const expire = (at: string) =>
    ev(
      'decision',
      at,
      { type: 'ApprovalExpired', data: { user_id: userId, request_id: requestId, expired_at: at } },
      null,
    )
  const status = request?.status ?? null
  if (status === 'approved') events.push(approve(request!.decided_at ?? requestedAt, decidedBy(request!.decided_by)))
  else if (status === 'rejected')
    events.push(
      ev(
        'decision',
        request!.decided_at ?? requestedAt,
        {
          type: 'ApprovalDecided',
          data: {
            user_id: userId,
            request_id: requestId,
            decision: 'rejected',
            role: null,
            decided_by: decidedBy(request!.decided_by),
            reason: request!.rejection_reason,
            decided_at: request!.decided_at ?? requestedAt,
          },
        },
        decidedBy(request!.decided_by),
      ),
    )
  else if (status === 'timeout') events.push(expire(request!.decided_at ?? expiresAt))
  else if (status === 'pending' || (request && status !== null)) {
    if (status !== 'pending')
      ctx.report.note('approval_requests', request!.id, 'unknown_status', `status ${status}: read as pending`)
    if (Date.parse(expiresAt) <= ctx.opts.now.getTime()) events.push(expire(expiresAt))
  } else if (role && !UNAPPROVED.has(u.role ?? '')) events.push(approve(createdAt, SYSTEM_ACTOR))
  else {
    // never approved here by default: a user the portal had not approved waits, and their wait is long over
    if (u.role && !UNAPPROVED.has(u.role))
      ctx.report.note(
        'users',
        u.id,
        'unknown_role',
        `role ${u.role} is not one of ours: the account is left unapproved`,
      )
    events.push(expire(expiresAt))
  }
  const changes = profile(ctx, u)
  const later =
    u.updated_at && u.updated_at > events[events.length - 1]!.metadata.occurred_at
      ? u.updated_at
      : events[events.length - 1]!.metadata.occurred_at
  if (Object.keys(changes).length > 0)
    events.push(
      ev('profile', later, {
        type: 'ProfileUpdated',
        data: { user_id: userId, changes, updated_by: userId, updated_at: later },
      }),
    )
  let state: UserState = fold(userDecider, events as unknown as UserEvent[])
  if (state.status === 'approved' && !u.is_active) {
    events.push(
      ev(
        'deactivated',
        later,
        {
          type: 'UserDeactivated',
          data: {
            user_id: userId,
            deactivated_by: SYSTEM_ACTOR,
            reason: 'inactive in the original portal',
            deactivated_at: later,
          },
        },
        null,
      ),
    )
    state = fold(userDecider, events as unknown as UserEvent[])
  }
  return { userId, requestId, events, state }
}
