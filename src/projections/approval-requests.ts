import type { UserEvent } from '../domain/identity/user'
import type { StoredEvent } from '../store/event-store'
import type { Projection, RowChange } from './projection'

/** approval_requests: one row per signup request, for the admin queue and the sweep. */
export const approvalRequestsProjection: Projection = {
  name: 'approval_requests',
  tables: ['approval_requests'],
  project(stored: StoredEvent): RowChange[] {
    const e = stored as unknown as UserEvent
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
      case 'ApprovalDecided':
        return [
          {
            kind: 'update',
            table: 'approval_requests',
            where: { id: e.data.request_id },
            set: {
              status: e.data.decision,
              decided_at: e.data.decided_at,
              decided_by: e.data.decided_by,
              reason: e.data.reason,
            },
          },
        ]
      case 'ApprovalExpired':
        return [
          {
            kind: 'update',
            table: 'approval_requests',
            where: { id: e.data.request_id },
            set: { status: 'expired', decided_at: e.data.expired_at },
          },
        ]
      default:
        return []
    }
  },
}
