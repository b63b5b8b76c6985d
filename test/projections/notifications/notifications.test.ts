import t from 'tap'
import type { AttendanceMarked } from '../../../src/domain/attendance/events'
import type { ClubEventCreated } from '../../../src/domain/club-events/events'
import type { ApprovalDecided, SignupRequested } from '../../../src/domain/identity/user-events'
import type { NotificationsReadAll } from '../../../src/domain/notifications/events'
import { notificationId } from '../../../src/domain/notifications/text'
import { notificationsConsumer } from '../../../src/projections/notifications/notifications'
import { openTestDb } from '../../helpers/db'
import { consumer, storedOf } from '../../helpers/projection-spec'

const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'
const ADA = '44444444-4444-4444-8444-444444444444'
const EVENT = '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e'
const at = (s: number) => new Date(Date.UTC(2025, 2, 1, 12, 0, s)).toISOString()

/** the bootstrap admin: signed up and approved by the system, so nobody is told */
const byTheSystem = { metadata: { actor_id: null, actor_role: 'system' } }
const adminSignup: SignupRequested = {
  type: 'SignupRequested',
  data: {
    user_id: ADMIN,
    request_id: 'r0',
    email: 'admin@club.example.org',
    full_name: 'Admin',
    password_hash: 'h',
    requested_at: at(0),
    expires_at: at(180),
  },
}
const adminApproved: ApprovalDecided = {
  type: 'ApprovalDecided',
  data: {
    user_id: ADMIN,
    request_id: 'r0',
    decision: 'approved',
    role: 'admin',
    decided_by: '00000000-0000-0000-0000-000000000000',
    reason: 'bootstrap',
    decided_at: at(1),
  },
}
const adaSignup: SignupRequested = {
  type: 'SignupRequested',
  data: {
    user_id: ADA,
    request_id: 'r1',
    email: 'ada@club.example.org',
    full_name: 'Ada Lovelace',
    password_hash: 'h',
    requested_at: at(10),
    expires_at: at(190),
  },
}
const created: ClubEventCreated = {
  type: 'ClubEventCreated',
  data: {
    club_event_id: EVENT,
    title: 'Kaggle Night',
    starts_at: at(0),
    ends_at: at(3600),
    location: null,
    notes: null,
    geofence: null,
    created_by: ADMIN,
    created_at: at(2),
  },
}
const marked = (user: string, s: number): AttendanceMarked => ({
  type: 'AttendanceMarked',
  data: {
    attendance_id: `${user.slice(0, 8)}-0000-4000-8000-00000000000${s % 10}`,
    club_event_id: EVENT,
    user_id: user,
    qr_session_id: 'q',
    nonce: 'n',
    marked_at: at(s),
    location: null,
  },
})

/** what the admin is told of Ada's signup, the feed's third event */
const signupNotice = {
  id: notificationId(storedOf(adaSignup, 2).id, ADMIN),
  user_id: ADMIN,
  type: 'signup_requested',
  title: 'New signup: Ada Lovelace',
  body: `Ada Lovelace <ada@club.example.org> asked to join the club. Decide before ${at(190)} or the request expires.`,
  data: {
    user_id: ADA,
    request_id: 'r1',
    email: 'ada@club.example.org',
    full_name: 'Ada Lovelace',
    expires_at: at(190),
  },
  created_at: at(10),
  updated_at: at(10),
  read_at: null,
  count: 1,
  seq: '3',
}

t.test('the notifications reactor, given the feed, writes these rows', async (t) => {
  const db = await openTestDb(t)
  const spec = consumer(t, db.kysely, notificationsConsumer)

  await spec
    .given([
      { ...adminSignup, ...byTheSystem },
      { ...adminApproved, ...byTheSystem },
    ])
    .then(
      {
        notification_admins: [{ user_id: ADMIN }],
        notifications: [],
        notification_feed: [{ id: 1, events_seen: '2' }],
      },
      'the bootstrap admin is an admin, and nobody is told',
    )

  await spec.given([adaSignup]).then(
    {
      notifications: [signupNotice],
      notification_unread: [{ user_id: ADMIN, unread: 1 }],
    },
    'every admin hears of a signup',
  )

  await spec.given([created, marked(ADA, 30), marked(ADMIN, 31)]).then(
    {
      notification_club_events: [{ id: EVENT, created_by: ADMIN, title: 'Kaggle Night' }],
      notifications: [
        signupNotice,
        {
          id: notificationId('attendance', EVENT, at(0)),
          user_id: ADMIN,
          type: 'attendance_marked',
          title: '2 members marked attendance at Kaggle Night',
          body: 'Attendance marked in the minute from 12:00 UTC on 2025-03-01.',
          data: { club_event_id: EVENT, club_event_title: 'Kaggle Night', window_start: at(0), count: 2 },
          created_at: at(30),
          updated_at: at(31),
          read_at: null,
          count: 2,
          seq: '6',
        },
      ],
      notification_unread: [{ user_id: ADMIN, unread: 2 }],
    },
    'marks of one minute are one notification to the club event’s creator',
  )

  const readAll: NotificationsReadAll = {
    type: 'NotificationsReadAll',
    data: { user_id: ADMIN, up_to_seq: 6, read_at: at(40) },
  }
  await spec.given([readAll]).then({ notification_unread: [{ user_id: ADMIN, unread: 0 }] }, 'read: none unread')
  await spec
    .given([marked('55555555-5555-4555-8555-555555555555', 42)])
    .then(
      { notification_unread: [{ user_id: ADMIN, unread: 1 }] },
      'a read window with a new mark is unread again, and counted so',
    )
  await spec
    .given([readAll, { ...readAll, data: { ...readAll.data, up_to_seq: 99 } }])
    .then(
      { notification_unread: [{ user_id: ADMIN, unread: 0 }] },
      'a read up to the old version finds nothing to count; one up to the new takes it to 0',
    )
})
