import type { Transaction } from 'kysely'
import type { Database } from '../../db/database'
import type { AttendanceMarked } from '../../domain/attendance/events'
import type { ClubEventEvent, ClubEventStatusChanged } from '../../domain/club-events/events'
import type { UserEvent } from '../../domain/identity/user-events'
import type { NotificationEvent, NotificationImported } from '../../domain/notifications/events'
import { isImported } from '../../domain/legacy/plan-types'
import {
  attendanceWindow,
  cancelledText,
  decisionText,
  expiryText,
  notificationId,
  signupText,
} from '../../domain/notifications/text'
import type { StoredEvent } from '../../store/event-store'
import { type Consumer, handles } from '../projection'
import {
  type AttendanceWindow,
  type NewNotification,
  addAttendees,
  attendeesOf,
  coalesceAttendance,
  eventsSeen,
  markRead,
  setEventsSeen,
} from './rows'
import { Admins, Notices } from './notices'
import { membershipNotice } from './membership'
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
    'UserReactivated',
    'UserRemoved',
    'ClubEventCreated',
    'ClubEventUpdated',
    'ClubEventStatusChanged',
    'ClubEventDeleted',
    'AttendanceMarked',
    'NotificationRead',
    'NotificationsReadAll',
    'NotificationImported',
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
  tables: [
    'notifications',
    'notification_admins',
    'notification_club_events',
    'notification_attendees',
    'notification_feed',
    'notification_unread',
  ],
  // deterministic (above): a batch applied again writes the same rows
  replayable: true,
  async handle(trx, events) {
    const base = await eventsSeen(trx)
    const batch = new Batch(trx)
    for (const [i, e] of events.entries()) await batch.apply(e, base + i + 1)
    await batch.flush()
    await setEventsSeen(trx, base + events.length)
    await wake(trx, batch.notices.touched)
  },
}

class Batch {
  readonly notices: Notices
  private readonly admins: Admins
  /** the event being applied is imported history: its bookkeeping counts, its notices were sent long ago */
  private quiet = false
  /** marks gathered per (club event, minute), written at the end of the batch (or before a read): 100 scans, one upsert */
  private readonly windows = new Map<string, AttendanceWindow>()
  /** who marked where, gathered over the batch like the windows: one insert for the lot */
  private readonly attendees: { club_event_id: string; user_id: string }[] = []
  private readonly owners = new Map<string, { created_by: string; title: string } | null>()
  constructor(private readonly trx: Transaction<Database>) {
    this.notices = new Notices(trx)
    this.admins = new Admins(trx)
  }

  async apply(stored: StoredEvent, seq: number): Promise<void> {
    if (!handles<Handled>(reads, stored)) return
    const e = stored
    // bootstrap creates and approves an admin by itself: nobody asked, nobody to tell;
    // imported history was told in the original portal (its notifications come as NotificationImported)
    this.quiet = isImported(stored.metadata)
    const bySystem = this.quiet || stored.metadata.actor_role === 'system'
    switch (e.type) {
      case 'SignupRequested': {
        if (bySystem) return
        const d = e.data
        for (const admin of await this.admins.all()) {
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
        await this.admins.set(d.user_id, d.decision === 'approved' && d.role === 'admin')
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
        return this.admins.set(e.data.user_id, e.data.role === 'admin')
      case 'UserDeactivated':
      case 'UserReactivated':
      case 'UserRemoved': {
        const { isAdmin, notice } = membershipNotice(e, stored.id, seq)
        await this.admins.set(e.data.user_id, isAdmin)
        return this.notify(notice)
      }
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
      case 'ClubEventStatusChanged':
        if (e.data.to !== 'cancelled' || this.quiet) return
        return this.cancelled(e.data, notificationId(stored.id), seq)
      case 'ClubEventDeleted':
        // a deleted event's status cannot change any more: nobody is left to tell
        await this.flush()
        await this.trx.deleteFrom('notification_attendees').where('club_event_id', '=', e.data.club_event_id).execute()
        return
      case 'AttendanceMarked':
        return this.mark(e.data, seq)
      // a read may be of a window still gathering in this batch: write it first
      case 'NotificationRead':
        await this.flush()
        return markRead(this.trx, e.data.user_id, e.data.read_at, e.data.seq, e.data.notification_id)
      case 'NotificationsReadAll':
        await this.flush()
        return markRead(this.trx, e.data.user_id, e.data.read_at, e.data.up_to_seq)
      case 'NotificationImported':
        return this.imported(e.data, seq)
      default:
        return // the other user events: nothing to tell
    }
  }

  /**
   * Tells the members who marked attendance at a club event that it was
   * cancelled (not the admin who cancelled it). Members who had not marked are
   * not told: the consumer keeps no list of every member, and a list of who
   * marked is cheap to keep beside the marks it already reads. Reverting and
   * cancelling again tells them again, as a new fact.
   */
  private async cancelled(d: ClubEventStatusChanged['data'], eventKey: string, seq: number): Promise<void> {
    await this.flush() // the marks of this batch first
    const title = (await this.ownerOf(d.club_event_id))?.title ?? 'A club event'
    const told = (await attendeesOf(this.trx, d.club_event_id)).filter((u) => u !== d.changed_by)
    for (const user_id of told)
      this.notices.add({
        id: notificationId(eventKey, user_id),
        user_id,
        type: 'club_event_cancelled' as const,
        ...cancelledText(title),
        data: { club_event_id: d.club_event_id, club_event_title: title },
        at: d.changed_at,
        seq,
      })
  }

  private async ownerOf(clubEventId: string): Promise<{ created_by: string; title: string } | null> {
    let owner = this.owners.get(clubEventId)
    if (owner === undefined) {
      owner =
        (await this.trx
          .selectFrom('notification_club_events')
          .select(['created_by', 'title'])
          .where('id', '=', clubEventId)
          .executeTakeFirst()) ?? null
      this.owners.set(clubEventId, owner)
    }
    return owner
  }

  private imported(d: NotificationImported['data'], seq: number): void {
    this.notices.add({ ...d, id: d.notification_id, at: d.created_at, seq })
  }

  private notify(n: NewNotification): void {
    if (!this.quiet) this.notices.add(n)
  }

  private async mark(d: AttendanceMarked['data'], seq: number): Promise<void> {
    this.attendees.push({ club_event_id: d.club_event_id, user_id: d.user_id })
    if (this.quiet) return
    const owner = await this.ownerOf(d.club_event_id)
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

  /** Writes what the batch gathered: before a read of the rows, and at its end. */
  async flush(): Promise<void> {
    await addAttendees(this.trx, this.attendees.splice(0))
    for (const w of this.windows.values()) this.notices.count(w.created_by, await coalesceAttendance(this.trx, w))
    this.windows.clear()
    await this.notices.flush()
  }
}
