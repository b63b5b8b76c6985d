import type { Transaction } from 'kysely'
import type { Database } from '../../db/database'
import { type NoticeRow, addUnread, adminIds, insertNotifications, setAdmin } from './rows'

type Trx = Transaction<Database>

/**
 * What one batch of the notifications consumer tells members: notices
 * gathered and inserted together at the next flush (one statement, not one
 * per signup), each member's unread count as the batch changes it, and who
 * was touched (their live streams are woken on commit).
 */
export class Notices {
  readonly touched = new Set<string>()
  private readonly pending: NoticeRow[] = []
  private readonly unread = new Map<string, number>()

  constructor(private readonly trx: Trx) {}

  add(n: NoticeRow): void {
    this.pending.push(n)
    if (!n.read_at) this.count(n.user_id, 1)
    this.touched.add(n.user_id)
  }

  /** A change to a member's unread count made elsewhere in the batch (a window read, then marked again). */
  count(userId: string, change: number): void {
    this.unread.set(userId, (this.unread.get(userId) ?? 0) + change)
    this.touched.add(userId)
  }

  async flush(): Promise<void> {
    await insertNotifications(this.trx, this.pending.splice(0))
    await addUnread(this.trx, this.unread)
    this.unread.clear()
  }
}

/**
 * The admins (a signup tells each of them), read once a batch and kept as
 * roles change; a member's row is written only when it changes, since every
 * decision says whether its member is an admin and most are not.
 */
export class Admins {
  private ids: Set<string> | undefined

  constructor(private readonly trx: Trx) {}

  async all(): Promise<Set<string>> {
    this.ids ??= new Set(await adminIds(this.trx))
    return this.ids
  }

  async set(userId: string, isAdmin: boolean): Promise<void> {
    const ids = await this.all()
    if (ids.has(userId) === isAdmin) return
    await setAdmin(this.trx, userId, isAdmin)
    if (isAdmin) ids.add(userId)
    else ids.delete(userId)
  }
}
