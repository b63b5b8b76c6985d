import { type Transaction, sql } from 'kysely'
import type { Db } from '../../db/connection'
import type { Database } from '../../db/database'
import type { PgLitePool } from '../../db/pglite-pool'

/** The NOTIFY channel; the payload is the user whose notifications changed, or 'reconnect'. */
const NOTIFICATIONS_CHANNEL = 'dscp_notifications'

/** Wakes every API process's live streams of these users; PostgreSQL delivers NOTIFY only on commit. */
export async function wake(trx: Transaction<Database>, userIds: Iterable<string>): Promise<void> {
  const users = [...userIds]
  if (users.length > 0)
    await sql`SELECT pg_notify(${NOTIFICATIONS_CHANNEL}, u) FROM unnest(${users}::text[]) AS u`.execute(trx)
}

/**
 * Hears the notifications consumer's NOTIFY (sent in its transaction, so
 * delivered only on commit). On PostgreSQL through the process's LISTEN
 * connection, which also reports 'reconnect' after an outage; on PGlite
 * through PGlite's own LISTEN, since its in-process Notifier never sees SQL.
 */
export async function listenForNotifications(db: Db, onWake: (payload: string) => void): Promise<() => Promise<void>> {
  if (db.kind === 'postgres') return db.notifier.listen(NOTIFICATIONS_CHANNEL, onWake)
  const pool = db.pool as PgLitePool
  // hold the one connection so LISTEN does not run inside someone's open transaction
  const held = await pool.connect()
  let unlisten: () => Promise<void>
  try {
    unlisten = await pool.db.listen(NOTIFICATIONS_CHANNEL, onWake)
  } finally {
    held.release()
  }
  return async () => {
    const again = await pool.connect().catch(() => undefined)
    try {
      await unlisten().catch(() => undefined)
    } finally {
      again?.release()
    }
  }
}
