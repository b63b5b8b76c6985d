import { randomUUID } from 'node:crypto'
import { attendanceStream } from '../src/domain/attendance/events'
import { clubEventStream } from '../src/domain/club-events/events'
import type { DomainEvent } from '../src/domain/decider'
import { userStream } from '../src/domain/identity/user-events'
import { qrSessionStream } from '../src/domain/qr/events'
import { openDb, type Db } from '../src/db/connection'
import { migrateEventStore, migrateReadModel } from '../src/db/migrate'
import type { EventStore, NewEvent } from '../src/store/event-store'
import { PostgresEventStore } from '../src/store/postgres/postgres-event-store'
import { fmt, numberArg } from './lib'

/**
 * A club's history as its commands would have appended it, for the seed and
 * the benches: an admin, members who signed up and were approved over the
 * span, club events spread over it, each with a QR code, and marks by members
 * who had joined before the event. Written through the store's append path,
 * 64 appends in flight (the store group-commits them), step by step so that
 * nothing is stored before what its command would have read (a member's
 * approval and the club event before a mark).
 */
export interface HistorySizes {
  members: number
  events: number
  attendance: number
  /** how far back the history starts, in days (three years by default) */
  days?: number
}

const DAY_MS = 86_400_000
// one hash for every member: the history is about volume, not logins
const HASH = '$2b$04$abcdefghijklmnopqrstuu5xsMxhQm7uDXjxrbYsGm1E8kSJZ9p1G'

interface Append {
  stream: string
  events: DomainEvent[]
  by: [actor: string, role: string]
}

const at = (ms: number) => new Date(ms).toISOString()

/** An append of one event. */
const single = (stream: string, by: Append['by'], type: string, data: Record<string, unknown>): Append => ({
  stream,
  by,
  events: [{ type, data }],
})

/** The history in steps: each step's appends may go in any order, and a step starts once the one before is stored. */
function* history(sizes: HistorySizes): Generator<Append[]> {
  const end = Date.now()
  const span = (sizes.days ?? 3 * 365) * DAY_MS
  const start = end - span
  const admin = randomUUID()
  const joinedAt = (i: number) => start + (span * i) / Math.max(sizes.members, 1)
  const signup = (user: string, i: number, when: number, role: 'admin' | 'student', by: Append['by']): Append => {
    const request = randomUUID()
    return {
      stream: userStream(user),
      by,
      events: [
        {
          type: 'SignupRequested',
          data: {
            user_id: user,
            request_id: request,
            email: `member${i}@campus.example.org`,
            full_name: `Member ${i}`,
            password_hash: HASH,
            requested_at: at(when - 60_000),
            expires_at: at(when + 120_000),
          },
        },
        {
          type: 'ApprovalDecided',
          data: {
            user_id: user,
            request_id: request,
            decision: 'approved',
            role,
            decided_by: admin,
            reason: null,
            decided_at: at(when),
          },
        },
      ],
    }
  }
  yield [signup(admin, 0, start - DAY_MS, 'admin', [admin, 'system'])]
  const members = Array.from({ length: sizes.members }, () => randomUUID())
  // members and club events in time order, so each event's marks come from members who had joined
  let joined = 0
  let marks = 0
  for (let e = 0; e < sizes.events; e++) {
    const startsAt = start + (span * (e + 1)) / (sizes.events + 1)
    const signups: Append[] = []
    for (; joined < sizes.members && joinedAt(joined) <= startsAt; joined++)
      signups.push(signup(members[joined]!, joined + 1, joinedAt(joined), 'student', [members[joined]!, 'student']))
    const clubEventId = randomUUID()
    const qr = randomUUID()
    // the members and the club event before its code, the code before its marks: as the deciders would have it
    yield signups
    yield [
      single(clubEventStream(clubEventId), [admin, 'admin'], 'ClubEventCreated', {
        club_event_id: clubEventId,
        title: `Event ${e + 1}`,
        starts_at: at(startsAt),
        ends_at: at(startsAt + 2 * 3_600_000),
        location: null,
        notes: null,
        geofence: null,
        created_by: admin,
        created_at: at(startsAt - 7 * DAY_MS),
      }),
    ]
    yield [
      single(qrSessionStream(qr), [admin, 'admin'], 'QrIssued', {
        qr_session_id: qr,
        club_event_id: clubEventId,
        nonce: randomUUID(),
        issued_at: at(startsAt),
        expires_at: at(startsAt + 60_000),
        key_id: 'seed',
        issued_by: admin,
      }),
    ]
    // a different slice of the members at each event, each of them once; what an early event
    // (few members yet) could not hold goes to the later ones
    const here = Math.min(Math.ceil((sizes.attendance - marks) / (sizes.events - e)), joined)
    const scans: Append[] = []
    for (let k = 0; k < here; k++) {
      const user = members[(e * 7919 + k) % joined]!
      marks++
      scans.push(
        single(attendanceStream(clubEventId, user), [user, 'student'], 'AttendanceMarked', {
          attendance_id: randomUUID(),
          club_event_id: clubEventId,
          user_id: user,
          qr_session_id: qr,
          nonce: randomUUID(),
          marked_at: at(startsAt + (k % 60) * 1000),
          location: null,
        }),
      )
    }
    yield scans
  }
  const later: Append[] = []
  for (; joined < sizes.members; joined++)
    later.push(signup(members[joined]!, joined + 1, joinedAt(joined), 'student', [members[joined]!, 'student']))
  yield later
}

/** Writes the history; returns how many events and how long it took. */
export async function writeHistory(store: EventStore, sizes: HistorySizes): Promise<{ events: number; s: number }> {
  const started = performance.now()
  let events = 0
  for (const step of history(sizes)) {
    let next = 0
    await Promise.all(
      Array.from({ length: Math.min(64, step.length) }, async () => {
        while (next < step.length) {
          const { stream, by, events: es } = step[next++]!
          const metadata = {
            actor_id: by[0],
            actor_role: by[1],
            ip: '203.0.113.7',
            user_agent: 'seed',
            request_id: randomUUID(),
            correlation_id: null,
            causation_id: null,
          }
          const stored: NewEvent[] = es.map((e) => ({ id: randomUUID(), ...e, metadata }))
          await store.append(stream, stored, { expectedRevision: 'no_stream' })
          events += es.length
        }
      }),
    )
  }
  return { events, s: (performance.now() - started) / 1000 }
}

/** --members / --events / --attendance N from the command line, or the bench's defaults. */
export function historySizes(defaults: HistorySizes): HistorySizes {
  return {
    members: numberArg('members', defaults.members),
    events: numberArg('events', defaults.events),
    attendance: numberArg('attendance', defaults.attendance),
  }
}

/** A migrated database at `url` holding the history of `sizes`, its rate printed. */
export async function openHistory(url: string, sizes: HistorySizes): Promise<{ db: Db; store: PostgresEventStore }> {
  const db = await openDb({ databaseUrl: url, dataDir: '', poolSize: 10 })
  const store = new PostgresEventStore({ pool: db.pool, notifier: db.notifier })
  await migrateEventStore(db.kysely)
  await migrateReadModel(db.kysely)
  const written = await writeHistory(store, sizes)
  console.log(
    `history: ${fmt(sizes.members)} members, ${fmt(sizes.events)} club events, ${fmt(sizes.attendance)} marks: ${fmt(written.events)} events written in ${fmt(written.s, 1)} s (${fmt(written.events / written.s)} events/s)`,
  )
  return { db, store }
}
