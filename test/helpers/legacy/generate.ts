import bcrypt from 'bcryptjs'
import { writeSqlite, withPgSchema } from './build'
import { type LegacyData, type Row, engineRows } from './messy'
import { type V2Table, V2_TABLES } from './schemas'

/**
 * A big, clean, realistic v2 portal database (for the importer's volume tests):
 * one admin and `users - 1` approved students who signed up in July–August
 * 2024, `events` club events spread over the following year with three 60-second
 * QR sessions each, and `attendance` marks spread over the events (never two
 * for one (event, user)), plus the notifications and audit logs the portal
 * wrote along the way. The same data (seeded, so every run alike) for SQLite
 * and PostgreSQL; every id is a UUID.
 */
export interface GeneratorSizes {
  users: number
  events: number
  attendance: number
}

export interface GeneratedV2 {
  /** rows written per legacy table */
  tables: Record<V2Table, number>
  /** every user's password (one shared cost-4 hash) */
  password: string
  adminEmail: string
}

const DEFAULT_SIZES: GeneratorSizes = { users: 10_000, events: 200, attendance: 100_000 }
const PASSWORD = 'generated-portal-password'
const ADMIN_EMAIL = 'admin@dsclub.com'
let passwordHash: string | undefined

const FIRST = ['Aarav', 'Diya', 'Ishaan', 'Ananya', 'Kabir', 'Meera', 'Rohan', 'Saanvi', 'Vihaan', 'Zara', 'Arjun']
const LAST = ['Sharma', 'Iyer', 'Nair', 'Reddy', 'Patel', 'Gupta', 'Khan', 'Das', 'Menon', 'Joshi', 'Singh', 'Rao']
const BRANCHES = ['CSE', 'ECE', 'IT', 'ME', 'EEE', 'Civil']
const SKILLS = ['python', 'pandas', 'sql', 'statistics', 'r', 'pytorch', 'tableau', 'excel', 'spark']
const AGENTS = [
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0 Mobile Safari/537.36',
]

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** mulberry32: a small seeded generator */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/** The portal's UTC text: 'YYYY-MM-DD HH:MM:SS', or with microseconds. */
function ts(ms: number, micro = false): string {
  const iso = new Date(ms).toISOString()
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
  return micro ? `${base}.${iso.slice(20, 23)}${String(Math.floor(ms * 1000) % 1000).padStart(3, '0')}` : base
}

/** The rows of the big database, as engine-neutral rows (messy.ts's format). */
function generateRows(sizes: GeneratorSizes): LegacyData {
  const { users, events, attendance } = sizes
  if (users < 1 || events < 0 || attendance < 0) throw new Error('generateV2: at least one user (the admin)')
  const students = users - 1
  if (attendance > students * events)
    throw new Error(`generateV2: ${attendance} marks do not fit ${students} students × ${events} events`)

  const rnd = random(20240901)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const word = () =>
    Math.floor(rnd() * 0x100000000)
      .toString(16)
      .padStart(8, '0')
  const hex = (n: number) => {
    let s = ''
    while (s.length < n) s += word()
    return s.slice(0, n)
  }
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rnd() * 4)]}${hex(3)}-${hex(12)}`
  const token = () => Buffer.from(Array.from({ length: 16 }, () => Math.floor(rnd() * 256))).toString('base64url')

  passwordHash ??= bcrypt.hashSync(PASSWORD, 4)
  const hash = passwordHash

  const data: LegacyData = Object.fromEntries(V2_TABLES.map((t) => [t, [] as Row[]]))
  const push = (table: V2Table, row: Row) => data[table]!.push(row)

  // the admin, and the students who signed up in July–August 2024
  const adminId = uuid()
  const adminCreated = Date.UTC(2024, 5, 15, 9)
  push('users', {
    id: adminId,
    email: ADMIN_EMAIL,
    full_name: 'Administrator',
    hashed_password: hash,
    role: 'ADMIN',
    is_active: true,
    created_at: ts(adminCreated),
    updated_at: ts(adminCreated),
    last_login_at: ts(Date.UTC(2025, 7, 30, 8), true),
    section: null,
    branch: null,
    year: null,
    bio: null,
    skills: null,
  })
  const signupStart = Date.UTC(2024, 6, 1)
  const studentIds: string[] = []
  for (let i = 1; i <= students; i++) {
    const id = uuid()
    studentIds.push(id)
    const first = pick(FIRST)
    const last = pick(LAST)
    const created = signupStart + Math.floor(rnd() * 61 * DAY)
    const decided = created + HOUR + Math.floor(rnd() * 20 * HOUR)
    push('users', {
      id,
      email: `${first}.${last}.${i}@dsclub.com`.toLowerCase(),
      full_name: `${first} ${last}`,
      hashed_password: hash,
      role: 'STUDENT',
      is_active: true,
      created_at: ts(created, true),
      updated_at: ts(decided),
      last_login_at: rnd() < 0.8 ? ts(decided + Math.floor(rnd() * 300 * DAY), true) : null,
      section: pick(['A', 'B', 'C']),
      branch: pick(BRANCHES),
      year: String(1 + Math.floor(rnd() * 4)),
      bio: null,
      skills: rnd() < 0.6 ? [pick(SKILLS), pick(SKILLS)].join(',') : null,
    })
    const requestId = uuid()
    push('approval_requests', {
      id: requestId,
      user_id: id,
      status: 'APPROVED',
      requested_at: ts(created, true),
      expires_at: ts(created + DAY, true),
      decided_at: ts(decided),
      decided_by: adminId,
      approved_role: 'STUDENT',
      rejection_reason: null,
    })
    const read = rnd() < 0.7
    push('notifications', {
      id: uuid(),
      recipient_id: id,
      type: 'approval_approved',
      title: 'Welcome to DS Club',
      message: 'Your account was approved.',
      notification_data: { approved_role: 'STUDENT' },
      is_read: read,
      created_at: ts(decided, true),
      read_at: read ? ts(decided + Math.floor(rnd() * 3 * DAY)) : null,
    })
    push('audit_logs', {
      id: uuid(),
      user_id: id,
      action: 'signup',
      resource_type: 'user',
      resource_id: id,
      meta_data: { email: `${first}.${last}.${i}@dsclub.com`.toLowerCase() },
      ip_address: `10.20.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`,
      user_agent: pick(AGENTS),
      created_at: ts(created, true),
    })
    push('audit_logs', {
      id: uuid(),
      user_id: adminId,
      action: 'approval_approved',
      resource_type: 'approval_request',
      resource_id: requestId,
      meta_data: { user_id: id, approved_role: 'STUDENT' },
      ip_address: '10.20.0.2',
      user_agent: AGENTS[0],
      created_at: ts(decided),
    })
  }

  // how many marks each event gets: weighted, capped at the number of students
  const weights = Array.from({ length: events }, () => 0.3 + rnd() * 1.4)
  const total = weights.reduce((a, b) => a + b, 0)
  const counts = weights.map((w) => Math.min(students, Math.floor((attendance * w) / total)))
  let left = attendance - counts.reduce((a, b) => a + b, 0)
  for (let e = 0; left > 0; e = (e + 1) % events) {
    const more = Math.min(left, students - counts[e]!)
    counts[e]! += more
    left -= more
  }

  // the events over the year from September 2024, three QR sessions each, and their marks
  const yearStart = Date.UTC(2024, 8, 1, 17, 30)
  const usedNonces: Row[] = []
  for (let e = 0; e < events; e++) {
    const eventId = uuid()
    const scheduled = yearStart + Math.floor((e * 365) / Math.max(events, 1)) * DAY
    push('events', {
      id: eventId,
      title: `${pick(['Workshop', 'Talk', 'Study Group', 'Hack Night'])}: ${pick(SKILLS)} #${e + 1}`,
      description: rnd() < 0.5 ? 'Bring a laptop.' : null,
      scheduled_at: ts(scheduled),
      created_by: adminId,
      created_at: ts(scheduled - 14 * DAY),
      updated_at: ts(scheduled + 2 * HOUR),
      is_deleted: false,
      deleted_at: null,
      notes: null,
      status: 'completed',
    })
    const sessions = [0, 1, 2].map((k) => {
      const created = scheduled + 5 * 60_000 + k * 61_000
      const nonce = token()
      const row: Row = {
        id: uuid(),
        event_id: eventId,
        session_token: `qr.${token()}`,
        token_signature: hex(64),
        created_by: adminId,
        created_at: ts(created),
        expires_at: ts(created + 60_000),
        is_revoked: false,
        revoked_at: null,
        nonce,
      }
      push('qr_sessions', row)
      push('audit_logs', {
        id: uuid(),
        user_id: adminId,
        action: 'qr_generated',
        resource_type: 'qr_session',
        resource_id: row.id,
        meta_data: { event_id: eventId, expires_in_seconds: 60 },
        ip_address: '10.20.0.2',
        user_agent: AGENTS[0],
        created_at: ts(created),
      })
      return { id: String(row.id), created, nonce }
    })
    // distinct students: offset + k·stride (mod students), the stride coprime with their number
    const n = counts[e]!
    if (n === 0) continue
    let stride = 1 + Math.floor(rnd() * students)
    while (gcd(stride, students) !== 1) stride = (stride % students) + 1
    const offset = Math.floor(rnd() * students)
    for (let k = 0; k < n; k++) {
      const userId = studentIds[(offset + k * stride) % students]!
      const session = sessions[k % 3]!
      const at = session.created + Math.floor(rnd() * 59_000) + rnd()
      push('attendance_records', {
        id: uuid(),
        event_id: eventId,
        user_id: userId,
        qr_session_id: session.id,
        marked_at: ts(at, true),
        ip_address: `10.20.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`,
        user_agent: pick(AGENTS),
      })
      // the portal swept nonces older than an hour: only the last event's remain
      if (e === events - 1 && usedNonces.length < 100)
        usedNonces.push({ nonce: `${session.nonce}:${k}`, user_id: userId, used_at: ts(at, true) })
    }
  }
  data.used_nonces = usedNonces
  return data
}

function summary(data: LegacyData): GeneratedV2 {
  const tables = Object.fromEntries(V2_TABLES.map((t) => [t, data[t]?.length ?? 0])) as Record<V2Table, number>
  return { tables, password: PASSWORD, adminEmail: ADMIN_EMAIL }
}

/** The big v2 database as a SQLite file at `file` (prepared statements, one transaction). */
export async function generateV2Sqlite(file: string, sizes: GeneratorSizes = DEFAULT_SIZES): Promise<GeneratedV2> {
  const data = generateRows(sizes)
  await writeSqlite('v2', file, engineRows('v2', 'sqlite', data))
  return summary(data)
}

const BATCH = 5_000

/** The big v2 database in the empty PostgreSQL database at `url` (batches of rows through unnest arrays). */
export async function generateV2Postgres(url: string, sizes: GeneratorSizes = DEFAULT_SIZES): Promise<GeneratedV2> {
  const data = generateRows(sizes)
  await withPgSchema('v2', url, async (client) => {
    for (const t of engineRows('v2', 'postgres', data)) {
      const names = t.columns.map((c) => c.name).join(', ')
      const arrays = t.columns.map((c, i) => `$${i + 1}::${c.pg}[]`).join(', ')
      const sql = `INSERT INTO ${t.table} (${names}) SELECT * FROM unnest(${arrays})`
      for (let from = 0; from < t.values.length; from += BATCH) {
        const batch = t.values.slice(from, from + BATCH)
        await client.query(
          sql,
          t.columns.map((_, i) => batch.map((row) => row[i])),
        )
      }
    }
  })
  return summary(data)
}
