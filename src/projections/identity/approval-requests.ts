import type { Selectable } from 'kysely'
import type { ApprovalRequestsTable, ApprovalStatus } from '../../db/database'
import type { Role } from '../../domain/identity/user-events'
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
            key: ['id'], // its decision in the same batch folds into the insert
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
  /** the member's role now (null until approved) */
  role: Role | null
  /** when the account was created */
  user_created_at: string | null
}

type ListedRow = Row & { role: Role | null; user_created_at: Date | null }

function approvalRequestView(row: ListedRow, now: Date): ApprovalRequestView {
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
    role: row.role,
    user_created_at: row.user_created_at?.toISOString() ?? null,
  }
}

export interface ApprovalListOptions {
  status?: ApprovalStatus
  after?: Keyset
  /** rows to skip (the club's page numbers); with it, `after` is ignored */
  offset?: number
  limit: number
  now: Date
}

/** The admin queue's filter: "pending" and "expired" judged by the deadline, not only by what the sweep recorded yet. */
function filtered(db: Executor, status: ApprovalStatus | undefined, now: Date) {
  let q = db.selectFrom('approval_requests as r')
  if (status === 'pending') q = q.where('r.status', '=', 'pending').where('r.expires_at', '>', now)
  else if (status === 'expired')
    q = q.where((eb) =>
      eb.or([eb('r.status', '=', 'expired'), eb.and([eb('r.status', '=', 'pending'), eb('r.expires_at', '<=', now)])]),
    )
  else if (status) q = q.where('r.status', '=', status)
  return q
}

/** The admin queue, newest request first: by keyset, or by offset (the club's page numbers). */
export async function pageApprovalRequests(
  db: Executor,
  opts: ApprovalListOptions,
): Promise<Page<ApprovalRequestView>> {
  const { now } = opts
  const q = filtered(db, opts.status, now)
    .leftJoin('users as u', 'u.id', 'r.user_id')
    .selectAll('r')
    .select(['u.role', 'u.created_at as user_created_at'])
  if (opts.offset !== undefined) {
    const rows = await q
      .orderBy('r.requested_at', 'desc')
      .orderBy('r.id', 'desc')
      .offset(opts.offset)
      .limit(opts.limit)
      .execute()
    return { items: rows.map((r) => approvalRequestView(r, now)), next: null }
  }
  const order = {
    columns: ['r.requested_at', 'r.id'] as [string, string],
    direction: 'desc' as const,
    keyOf: (r: ListedRow) => ({ at: r.requested_at, id: r.id }),
  }
  const { rows, next } = await keysetPage(q, order, opts.after, opts.limit)
  return { items: rows.map((r) => approvalRequestView(r, now)), next }
}

/** How many requests the filter holds (the club's list shows a total). */
export async function countApprovalRequests(
  db: Executor,
  status: ApprovalStatus | undefined,
  now: Date,
): Promise<number> {
  const row = await filtered(db, status, now)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
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
