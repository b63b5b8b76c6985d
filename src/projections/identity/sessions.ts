import type { SessionEvent } from '../../domain/identity/session'
import type { Executor, Projection, RowChange } from '../projection'

/** sessions: which refresh families are live, so a demotion or deactivation can end them all. */
export const sessionsProjection: Projection<SessionEvent> = {
  name: 'sessions',
  tables: ['sessions'],
  canHandle: ['SessionStarted', 'SessionRefreshed', 'SessionRevoked'],
  project(e): RowChange[] {
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
    }
  },
}

/** The ids of a user's sessions not yet revoked. */
export async function liveSessionIds(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute()
  return rows.map((r) => r.id)
}
