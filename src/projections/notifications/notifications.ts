import type { Transaction } from 'kysely'
import type { Database } from '../../db/database'
import type { AttendanceMarked } from '../../domain/attendance/events'
import type { ClubEventEvent } from '../../domain/club-events/events'
import type { UserEvent } from '../../domain/identity/user-events'
import type { NotificationEvent } from '../../domain/notifications/events'
import { attendanceWindow, decisionText, expiryText, notificationId, signupText } from '../../domain/notifications/text'
import type { StoredEvent } from '../../store/event-store'
import { type Consumer, handles } from '../projection'
import {
  type AttendanceWindow,
  adminIds,
  coalesceAttendance,
  eventsSeen,
  insertNotification,
  markRead,
  setAdmin,
  setEventsSeen,
} from './rows'
import { wake } from './wake'

type Handled = UserEvent | ClubEventEvent | AttendanceMarked | NotificationEvent

/** What the reactor reads: every other event only counts towards `seq`. */
const reads: { canHandle: readonly Handled['type'][] } = {
  canHandle: [
    'SignupRequested',
    'ApprovalDecided',
    'ApprovalExpired',
    'UserRoleChanged',
    'UserDeactivated',
    'ClubEventCreated',
    'ClubEventUpdated',
    'AttendanceMarked',
    'NotificationRead',
    'NotificationsReadAll',
  ],
}

/**
 * The notifications reactor. It reads its own tables (admins, club event
 * owners) inside the batch's transaction, so it is a Consumer rather than a
 * pure Projection; it stays deterministic because those tables are built from
 * the same feed, in the same order. Every row's `seq` is the feed ordinal of
 * the event that last changed it, which makes a rebuild write identical rows
 * however the feed is cut into batches.
 */
export const notificationsConsumer: Consumer = {
  name: 'notifications',
  tables: ['notifications', 'notification_admins', 'notification_club_events', 'notification_feed'],
  async handle(trx, events) {
    const base = await eventsSeen(trx)
    const batch = new Batch(trx)
    for (const [i, e] of events.entries()) await batch.apply(e, base + i + 1)
    await batch.flush()
    await setEventsSeen(trx, base + events.length)
    await wake(trx, batch.touched)
  },
}

class Batch {
  readonly touched = new Set<string>()
  /** marks gathered per (club event, minute), written at the end of the batch (or before a read): 100 scans, one upsert */
  private readonly windows = new Map<string, AttendanceWindow>()
  private readonly owners = new Map<string, { created_by: string; title: string } | null>()

  constructor(private readonly trx: Transaction<Database>) {}

  async apply(stored: StoredEvent, seq: number): Promise<void> {
    if (!handles<Handled>(reads, stored)) return
    const e = stored
    // bootstrap creates and approves an admin by itself: nobody asked, nobody to tell
    const bySystem = stored.metadata.actor_role === 'system'
    switch (e.type) {
      case 'SignupRequested': {
        if (bySystem) return
        const d = e.data
        for (const admin of await adminIds(this.trx)) {
          await this.notify({
            id: notificationId(stored.id, admin),
            user_id: admin,
            type: 'signup_requested',
            ...signupText(d.full_name, d.email, d.expires_at),
            data: {
              user_id: d.user_id,
              request_id: d.request_id,
              email: d.email,
              full_name: d.full_name,
              expires_at: d.expires_at,
            },
            at: d.requested_at,
            seq,
          })
        }
        return
      }
      case 'ApprovalDecided': {
        const d = e.data
        await setAdmin(this.trx, d.user_id, d.decision === 'approved' && d.role === 'admin')
        if (bySystem) return
        const type = d.decision === 'approved' ? 'approval_approved' : 'approval_rejected'
        await this.notify({
          id: notificationId(stored.id, d.user_id),
          user_id: d.user_id,
          type,
          ...decisionText(d.decision, d.reason),
          data: { request_id: d.request_id, decision: d.decision, role: d.role, reason: d.reason },
          at: d.decided_at,
          seq,
        })
        return
      }
      case 'ApprovalExpired':
        return this.notify({
          id: notificationId(stored.id, e.data.user_id),
          user_id: e.data.user_id,
          type: 'approval_expired',
          ...expiryText(),
          data: { request_id: e.data.request_id },
          at: e.data.expired_at,
          seq,
        })
      case 'UserRoleChanged':
        return setAdmin(this.trx, e.data.user_id, e.data.role === 'admin')
      case 'UserDeactivated':
        return setAdmin(this.trx, e.data.user_id, false)
      case 'ClubEventCreated':
        this.owners.set(e.data.club_event_id, { created_by: e.data.created_by, title: e.data.title })
        await this.trx
          .insertInto('notification_club_events')
          .values({ id: e.data.club_event_id, created_by: e.data.created_by, title: e.data.title })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute()
        return
      case 'ClubEventUpdated': {
        const title = e.data.changes.title
        if (title === undefined) return
        this.owners.delete(e.data.club_event_id)
        await this.trx
          .updateTable('notification_club_events')
          .set({ title })
          .where('id', '=', e.data.club_event_id)
          .execute()
        return
      }
      case 'AttendanceMarked':
        return this.mark(e.data, seq)
      // a read may be of a window still gathering in this batch: write it first
      case 'NotificationRead':
        await this.flush()
        return markRead(this.trx, e.data.user_id, e.data.read_at, e.data.seq, e.data.notification_id)
      case 'NotificationsReadAll':
        await this.flush()
        return markRead(this.trx, e.data.user_id, e.data.read_at, e.data.up_to_seq)
      default:
        return // ClubEventDeleted: a deleted event's marks are refused, so nothing more to say
    }
  }

  private async notify(n: Parameters<typeof insertNotification>[1]): Promise<void> {
    await insertNotification(this.trx, n)
    this.touched.add(n.user_id)
  }

  private async mark(d: AttendanceMarked['data'], seq: number): Promise<void> {
    let owner = this.owners.get(d.club_event_id)
    if (owner === undefined) {
      owner =
        (await this.trx
          .selectFrom('notification_club_events')
          .select(['created_by', 'title'])
          .where('id', '=', d.club_event_id)
          .executeTakeFirst()) ?? null
      this.owners.set(d.club_event_id, owner)
    }
    if (!owner) return
    const window_start = attendanceWindow(d.marked_at)
    const key = `${d.club_event_id}|${window_start}`
    const w = this.windows.get(key)
    const at = Date.parse(d.marked_at)
    // scans commit out of marked_at order: the window spans the earliest to the latest
    if (w)
      Object.assign(w, {
        count: w.count + 1,
        title: owner.title,
        first_at: Math.min(w.first_at, at),
        last_at: Math.max(w.last_at, at),
        seq,
      })
    else
      this.windows.set(key, {
        club_event_id: d.club_event_id,
        window_start,
        created_by: owner.created_by,
        title: owner.title,
        count: 1,
        first_at: at,
        last_at: at,
        seq,
      })
  }

  async flush(): Promise<void> {
    for (const w of this.windows.values()) {
      await coalesceAttendance(this.trx, w)
      this.touched.add(w.created_by)
    }
    this.windows.clear()
  }
}
