import type { UserEvent } from '../domain/identity/user'
import type { StoredEvent } from '../store/event-store'
import type { Projection, RowChange } from './projection'

/** users: one row per account; never the password hash. */
export const usersProjection: Projection = {
  name: 'users',
  tables: ['users'],
  project(stored: StoredEvent): RowChange[] {
    const e = stored as unknown as UserEvent
    switch (e.type) {
      case 'SignupRequested': {
        const d = e.data
        const row = {
          id: d.user_id,
          email: d.email,
          full_name: d.full_name,
          role: null,
          status: 'pending',
          created_at: d.requested_at,
          approved_at: null,
          updated_at: d.requested_at,
        }
        // a signup after an expired one reuses the row
        return [
          {
            kind: 'upsert',
            table: 'users',
            row,
            key: ['id'],
            update: ['full_name', 'role', 'status', 'created_at', 'approved_at', 'updated_at'],
          },
        ]
      }
      case 'ApprovalDecided':
        return [
          {
            kind: 'update',
            table: 'users',
            where: { id: e.data.user_id },
            set:
              e.data.decision === 'approved'
                ? {
                    status: 'approved',
                    role: e.data.role,
                    approved_at: e.data.decided_at,
                    updated_at: e.data.decided_at,
                  }
                : { status: 'rejected', updated_at: e.data.decided_at },
          },
        ]
      case 'ApprovalExpired':
        return [
          {
            kind: 'update',
            table: 'users',
            where: { id: e.data.user_id },
            set: { status: 'expired', updated_at: e.data.expired_at },
          },
        ]
      case 'UserRoleChanged':
        return [
          {
            kind: 'update',
            table: 'users',
            where: { id: e.data.user_id },
            set: { role: e.data.role, updated_at: e.data.changed_at },
          },
        ]
      case 'UserDeactivated':
        return [
          {
            kind: 'update',
            table: 'users',
            where: { id: e.data.user_id },
            set: { status: 'deactivated', updated_at: e.data.deactivated_at },
          },
        ]
      default:
        return []
    }
  },
}
