import type { ApprovalRequestView } from '../../projections/identity/approval-requests'

type ApprovalStatus = ApprovalRequestView['status']

/** The club's name of a status: an expired request is a `timeout` there. */
const clubStatus = (s: ApprovalStatus) => (s === 'expired' ? 'timeout' : s)

/** The status a club `status_filter` names (`PENDING`, `timeout`, …). */
export function statusNamed(filter: string | undefined): ApprovalStatus | undefined {
  if (filter === undefined) return undefined
  const s = filter.toLowerCase()
  return s === 'timeout' ? 'expired' : (s as ApprovalStatus)
}

/** A request as the club's pending list reads it (its countdown and buttons follow time_remaining_seconds). */
export function clubApprovalRequest(r: ApprovalRequestView, now: Date) {
  return {
    id: r.id,
    user: { id: r.user_id, email: r.email, full_name: r.full_name, created_at: r.user_created_at },
    status: clubStatus(r.status),
    requested_at: r.requested_at,
    expires_at: r.expires_at,
    time_remaining_seconds:
      r.status === 'pending' ? Math.max(0, Math.floor((Date.parse(r.expires_at) - now.getTime()) / 1000)) : 0,
    decided_at: r.decided_at,
    approved_role: r.status === 'approved' ? r.role : null,
    rejection_reason: r.status === 'rejected' ? r.reason : null,
  }
}
