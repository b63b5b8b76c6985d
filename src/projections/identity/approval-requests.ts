import type { Selectable } from 'kysely'
import type { ApprovalRequestsTable, ApprovalStatus } from '../../db/database'
import type { ApprovalDecided, ApprovalExpired, SignupRequested } from '../../domain/identity/user-events'
import { type Keyset, type Page, keysetPage } from '../keyset'
import type { Executor, Projection, RowChange } from '../projection'

/** approval_requests: one row per signup request, for the admin queue and the expiry sweep. */
export const approvalRequestsProjection: Projection<SignupRequested | ApprovalDecided | ApprovalExpired> = {
  name: 'approval_requests',
  tables: ['approval_requests'],
  canHandle: ['SignupRequested', 'ApprovalDecided', 'ApprovalExpired'],
  project(e): RowChange[] {
    switch (e.type) {
      case 'SignupRequested': {
        const d = e.data
        return [
          {
            kind: 'insert',
            table: 'approval_requests',
            row: {
              id: d.request_id,
              user_id: d.user_id,
              email: d.email,
              full_name: d.full_name,
              status: 'pending',
              requested_at: d.requested_at,
              expires_at: d.expires_at,
              decided_at: null,
              decided_by: null,
              reason: null,
            },
          },
        ]
      }
      case 'ApprovalDecided': {
        const d = e.data
        return [
          {
            kind: 'update',
            table: 'approval_requests',
            where: { id: d.request_id },
            set: { status: d.decision, decided_at: d.decided_at, decided_by: d.decided_by, reason: d.reason },
          },
        ]
      }
      case 'ApprovalExpired':
        return [
          {
            kind: 'update',
            table: 'approval_requests',
            where: { id: e.data.request_id },
            set: { status: 'expired', decided_at: e.data.expired_at },
          },
        ]
    }
  },
}

type Row = Selectable<ApprovalRequestsTable>

export interface ApprovalRequestView {
  id: string
  user_id: string
  email: string
  full_name: string
  status: ApprovalStatus
  requested_at: string
  expires_at: string
  decided_at: string | null
  decided_by: string | null
  reason: string | null
}

function approvalRequestView(row: Row, now: Date): ApprovalRequestView {
  // a pending request past its deadline is expired even before the sweep records it
  const status = row.status === 'pending' && row.expires_at.getTime() <= now.getTime() ? 'expired' : row.status
  return {
    id: row.id,
    user_id: row.user_id,
    email: row.email,
    full_name: row.full_name,
    status,
    requested_at: row.requested_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    decided_at: row.decided_at?.toISOString() ?? null,
    decided_by: row.decided_by,
    reason: row.reason,
  }
}

export interface ApprovalListOptions {
  status?: ApprovalStatus
  after?: Keyset
  limit: number
  now: Date
}

/** The admin queue, newest request first. */
export async function pageApprovalRequests(
  db: Executor,
  opts: ApprovalListOptions,
): Promise<Page<ApprovalRequestView>> {
  const { status, now } = opts
  let q = db.selectFrom('approval_requests').selectAll()
  // "pending" and "expired" are judged by the deadline, not only by what the sweep has recorded yet
  if (status === 'pending') q = q.where('status', '=', 'pending').where('expires_at', '>', now)
  else if (status === 'expired')
    q = q.where((eb) =>
      eb.or([eb('status', '=', 'expired'), eb.and([eb('status', '=', 'pending'), eb('expires_at', '<=', now)])]),
    )
  else if (status) q = q.where('status', '=', status)
  const order = {
    columns: ['requested_at', 'id'] as [string, string],
    direction: 'desc' as const,
    keyOf: (r: Row) => ({ at: r.requested_at, id: r.id }),
  }
  const { rows, next } = await keysetPage(q, order, opts.after, opts.limit)
  return { items: rows.map((r) => approvalRequestView(r, now)), next }
}

/** Pending requests past their deadline, for the expiry sweep. */
export function dueForExpiry(db: Executor, now: Date, limit: number) {
  return db
    .selectFrom('approval_requests')
    .select(['user_id', 'id', 'expires_at'])
    .where('status', '=', 'pending')
    .where('expires_at', '<=', now)
    .limit(limit)
    .execute()
}
