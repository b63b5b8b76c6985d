import { chronologically } from './values'
import { normaliseEmail } from '../identity/email'
import { approvalRequestStream } from '../identity/indexes'
import { type Role, userIdForEmail, userStream } from '../identity/user-events'
import { SYSTEM_ACTOR } from '../decider'
import { ROLES, accountEvents } from './account'
import type { PlanContext } from './plan-types'
import type { LegacyApproval, LegacyUser } from './snapshot'

/** Who a legacy user id became here. */
export interface ImportedUser {
  id: string
  email: string
  role: Role | null
}

/** Legacy user ids: those imported, and those skipped (their rows are skipped as `user_skipped`, not as orphans). */
export interface UserMap {
  imported: Map<string, ImportedUser>
  skipped: Set<string>
}

/** Of users whose addresses are one account here, the one created first; the others are skipped. */
function distinctAccounts(ctx: PlanContext, users: LegacyUser[], map: UserMap): [LegacyUser, string][] {
  const byEmail = new Map<string, LegacyUser[]>()
  for (const u of users) {
    const email = normaliseEmail(u.email)
    if (!email) {
      map.skipped.add(u.id)
      ctx.report.skip('users', u.id, 'invalid_email', 'the email address is not a usable address')
      continue
    }
    byEmail.set(email, [...(byEmail.get(email) ?? []), u])
  }
  const out: [LegacyUser, string][] = []
  for (const [email, group] of byEmail) {
    const [first, ...rest] = [...group].sort(chronologically((u) => u.created_at, '9999'))
    out.push([first!, email])
    for (const u of rest) {
      map.skipped.add(u.id)
      ctx.report.skip(
        'users',
        u.id,
        'duplicate_email',
        `its email is the same address as legacy user ${first!.id}'s, ignoring case: one account per address here`,
      )
    }
  }
  return out
}

/** Every account, with its approval request, and the index entry that finds it by that request's id. */
export function planUsers(ctx: PlanContext, users: LegacyUser[], approvals: LegacyApproval[]): UserMap {
  const map: UserMap = { imported: new Map(), skipped: new Set() }
  const requests = new Map<string, LegacyApproval>()
  for (const a of approvals) {
    // the portal kept one request per user (UNIQUE(user_id)); a copy with more keeps the latest
    const prev = a.user_id ? requests.get(a.user_id) : undefined
    if (a.user_id && (!prev || (a.requested_at ?? '') > (prev.requested_at ?? ''))) requests.set(a.user_id, a)
  }
  const accounts = distinctAccounts(ctx, users, map)
  // admins first: an approval names its admin by their new id
  for (const [u, email] of accounts)
    map.imported.set(u.id, { id: userIdForEmail(email), email, role: ROLES[u.role ?? ''] ?? null })
  for (const [u, email] of accounts) {
    const request = requests.get(u.id)
    const { userId, requestId, events, state } = accountEvents(ctx, u, email, request, map)
    map.imported.get(u.id)!.role = state.status === 'approved' || state.status === 'deactivated' ? state.role : null
    ctx.append({
      phase: 'indexes',
      stream: approvalRequestStream(requestId),
      expected: 'no_stream',
      table: 'users',
      legacy_id: u.id,
      events: [
        ctx.event(
          'users',
          u.id,
          'request_index',
          events[0]!.metadata.occurred_at,
          { type: 'ApprovalRequestIndexed', data: { request_id: requestId, user_id: userId } },
          { actor_id: userId },
        ),
      ],
    })
    ctx.append({
      phase: 'users',
      stream: userStream(userId),
      expected: 'no_stream',
      table: 'users',
      legacy_id: u.id,
      events,
    })
    ctx.report.imported('users')
    ctx.expect('users', 'users', userId)
    ctx.expect(request ? 'approval_requests' : 'users', 'approval_requests', requestId)
    if (request) ctx.report.imported('approval_requests')
  }
  for (const a of approvals) {
    if (a.user_id && requests.get(a.user_id) === a && map.imported.has(a.user_id)) continue
    if (a.user_id && map.skipped.has(a.user_id))
      ctx.report.skip('approval_requests', a.id, 'user_skipped', 'its user was not imported')
    else if (a.user_id && requests.get(a.user_id) !== a)
      ctx.report.skip('approval_requests', a.id, 'superseded', 'a later request of the same user was imported')
    else ctx.report.skip('approval_requests', a.id, 'orphan', 'its user does not exist in the source')
  }
  return map
}

/** The first admin: the creator of what v1 recorded without one (the system when the source has no admin). */
export function firstAdmin(users: UserMap): string {
  for (const u of users.imported.values()) if (u.role === 'admin') return u.id
  return SYSTEM_ACTOR
}
