import type { SessionEvent } from '../domain/identity/session'
import type { StoredEvent } from '../store/event-store'
import type { Projection, RowChange } from './projection'

/** sessions: which refresh families are live, so a demotion can end them all. */
export const sessionsProjection: Projection = {
  name: 'sessions',
  tables: ['sessions'],
  project(stored: StoredEvent): RowChange[] {
    const e = stored as unknown as SessionEvent
    switch (e.type) {
      case 'SessionStarted':
        return [
          {
            kind: 'insert',
            table: 'sessions',
            row: {
              id: e.data.session_id,
              user_id: e.data.user_id,
              started_at: e.data.started_at,
              expires_at: e.data.expires_at,
              last_refreshed_at: null,
              revoked_at: null,
              revoke_reason: null,
            },
          },
        ]
      case 'SessionRefreshed':
        return [
          {
            kind: 'update',
            table: 'sessions',
            where: { id: e.data.session_id },
            set: { last_refreshed_at: e.data.refreshed_at },
          },
        ]
      case 'SessionRevoked':
        return [
          {
            kind: 'update',
            table: 'sessions',
            where: { id: e.data.session_id },
            set: { revoked_at: e.data.revoked_at, revoke_reason: e.data.reason },
          },
        ]
      default:
        return []
    }
  },
}
