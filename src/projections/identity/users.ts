import type { UserEvent } from '../../domain/identity/user-events'
import type { Executor, Projection, RowChange } from '../projection'

/** users: one row per account, never the password hash. Read by the analytics views and the event roster. */
export const usersProjection: Projection<UserEvent> = {
  name: 'users',
  tables: ['users'],
  canHandle: [
    'SignupRequested',
    'ApprovalDecided',
    'ApprovalExpired',
    'UserRoleChanged',
    'UserDeactivated',
    'UserReactivated',
    'UserRemoved',
    'ProfileUpdated',
  ],
  project(e): RowChange[] {
    switch (e.type) {
      case 'SignupRequested': {
        const d = e.data
        // a signup after an expired one reuses the row
        return [
          {
            kind: 'upsert',
            table: 'users',
            row: {
              id: d.user_id,
              email: d.email,
              full_name: d.full_name,
              role: null,
              status: 'pending',
              created_at: d.requested_at,
              approved_at: null,
              updated_at: d.requested_at,
              ...NO_PROFILE,
            },
            key: ['id'],
            update: ['full_name', 'role', 'status', 'created_at', 'approved_at', 'updated_at', ...PROFILE_COLUMNS],
          },
        ]
      }
      case 'ApprovalDecided': {
        const d = e.data
        const set =
          d.decision === 'approved'
            ? { status: 'approved' as const, role: d.role, approved_at: d.decided_at, updated_at: d.decided_at }
            : { status: 'rejected' as const, updated_at: d.decided_at }
        return [{ kind: 'update', table: 'users', where: { id: d.user_id }, set }]
      }
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
      case 'UserReactivated':
        return [
          {
            kind: 'update',
            table: 'users',
            where: { id: e.data.user_id },
            set: { status: 'approved', role: e.data.role, updated_at: e.data.reactivated_at },
          },
        ]
      case 'UserRemoved':
        return [
          {
            kind: 'update',
            table: 'users',
            where: { id: e.data.user_id },
            set: { status: 'removed', updated_at: e.data.removed_at },
          },
        ]
      case 'ProfileUpdated': {
        const { skills, ...rest } = e.data.changes
        const set = { ...rest, ...(skills === undefined ? {} : { skills: JSON.stringify(skills) }) }
        return [
          {
            kind: 'update',
            table: 'users',
            where: { id: e.data.user_id },
            set: { ...set, updated_at: e.data.updated_at },
          },
        ]
      }
    }
  },
}

const PROFILE_COLUMNS = ['section', 'branch', 'year', 'bio', 'skills'] as const
// a new signup starts a new membership: a removed member's profile does not carry over
const NO_PROFILE = { section: null, branch: null, year: null, bio: null, skills: '[]' }

/** Approved students: the roster's "out of how many". */
export async function countApprovedStudents(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('role', '=', 'student')
    .where('status', '=', 'approved')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
