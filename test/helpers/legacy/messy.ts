import { createHash } from 'node:crypto'
import bcrypt from 'bcryptjs'
import { type ColumnSpec, type LegacyEngine, type LegacyVersion, legacyColumns, legacyTables } from './schemas'

/**
 * One hand-written messy dataset per legacy schema version: every oddity the
 * portal's real databases hold, one commented row each. Rows are
 * engine-neutral JS values (ids as the SQLite portal wrote them, booleans as
 * booleans, timestamps as the portal's UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]',
 * JSON as values, enums in upper case); engineRows() turns them into what
 * each engine stores. expected.ts holds what an importer must make of them.
 */
export type Row = Record<string, unknown>
/** table → rows, the tables in the order they are filled */
export type LegacyData = Record<string, Row[]>

export interface Credential {
  /** the email exactly as the legacy row holds it (the new system normalises what is typed) */
  email: string
  password: string
  /** approved, active, a verifiable (bcrypt) hash, and not the skipped case-duplicate */
  canLogIn: boolean
}

/** How a user's hashed_password is made from the known password. */
type Scheme = '$2b$12' | '$2b$05' | '$2a$05' | '$2a$04' | '$2y$05' | 'sha256'

interface UserSpec {
  row: Row
  password: string
  scheme: Scheme
  canLogIn: boolean
}

// ---------------------------------------------------------------------------
// passwords

const hashes = new Map<string, string>()

/**
 * A real hash of `password`. bcrypt ones are computed with bcryptjs from a salt
 * derived from `seed` (so a build is byte-for-byte repeatable); $2a$ and $2y$
 * are a $2b$ hash with its prefix replaced (the same algorithm for passwords
 * under 72 bytes, and bcryptjs verifies all three). 'sha256' is the portal's
 * one pre-bcrypt account: 'sha256$' + hex digest, which no importer can verify.
 */
function hashPassword(password: string, scheme: Scheme, seed: string): string {
  const key = `${scheme}|${seed}|${password}`
  const cached = hashes.get(key)
  if (cached) return cached
  let hash: string
  if (scheme === 'sha256') {
    hash = `sha256$${createHash('sha256').update(password).digest('hex')}`
  } else {
    const [, minor, cost] = scheme.split('$') as [string, string, string]
    const saltBytes = createHash('sha256').update(`salt:${seed}`).digest().subarray(0, 16)
    const salt = `$2b$${cost}$${bcrypt.encodeBase64(saltBytes, 16)}`
    hash = `$${minor}$${bcrypt.hashSync(password, salt).slice(4)}`
  }
  hashes.set(key, hash)
  return hash
}

function usersWithHashes(specs: UserSpec[]): Row[] {
  return specs.map((s) => ({ ...s.row, hashed_password: hashPassword(s.password, s.scheme, String(s.row.id)) }))
}

// ---------------------------------------------------------------------------
// v1: the SQLAlchemy portal (integer ids everywhere, enum NAMEs, DATETIME text with microseconds)

const V1_USERS: UserSpec[] = [
  {
    // the club's admin (role ADMIN): the dataset's one cost-12 hash ($2b$12$, passlib's default cost)
    row: {
      id: 1,
      email: 'admin@dsclub.com',
      name: 'Club Admin',
      role: 'ADMIN',
      is_active: true,
      created_at: '2024-08-01 09:00:00.000000',
      updated_at: '2024-08-01 09:00:00.000000',
    },
    password: 'Admin@123',
    scheme: '$2b$12',
    canLogIn: true,
  },
  {
    // an active MEMBER → approved student
    row: {
      id: 2,
      email: 'alice.sharma@dsclub.com',
      name: 'Alice Sharma',
      role: 'MEMBER',
      is_active: true,
      created_at: '2024-08-05 14:22:31.118402',
      updated_at: '2024-08-05 14:22:31.118402',
    },
    password: 'alice-loves-pandas',
    scheme: '$2b$05',
    canLogIn: true,
  },
  {
    // an active MEMBER whose hash has the very old cost 4 ($2a$04$): still verifiable
    row: {
      id: 3,
      email: 'bob.fernandes@dsclub.com',
      name: 'Bob Fernandes',
      role: 'MEMBER',
      is_active: true,
      created_at: '2024-08-06 08:01:55.904117',
      updated_at: '2024-09-01 10:10:10.000001',
    },
    password: 'bob-2024!',
    scheme: '$2a$04',
    canLogIn: true,
  },
  {
    // a MEMBER with is_active 0 → approved, then deactivated
    row: {
      id: 4,
      email: 'carol.dsouza@dsclub.com',
      name: "Carol D'Souza",
      role: 'MEMBER',
      is_active: false,
      created_at: '2024-08-07 19:45:00.250000',
      updated_at: '2024-10-30 12:00:00.000000',
    },
    password: 'carol-pass-4',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // role 'PENDING' (is_active left at the model's default 1), no approval request in v1 → expired
    row: {
      id: 5,
      email: 'pranav.iyer@dsclub.com',
      name: 'Pranav Iyer',
      role: 'PENDING',
      is_active: true,
      created_at: '2024-09-02 11:11:11.111111',
      updated_at: '2024-09-02 11:11:11.111111',
    },
    password: 'pranav-waits',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // an unknown role 'GUEST' (written by hand into the database) → expired, problem unknown_role
    row: {
      id: 6,
      email: 'guest.speaker@example.org',
      name: 'Guest Speaker',
      role: 'GUEST',
      is_active: true,
      created_at: '2024-09-18 16:00:00.000000',
      updated_at: '2024-09-18 16:00:00.000000',
    },
    password: 'guest-speaker-1',
    scheme: '$2a$05',
    canLogIn: false,
  },
  {
    // 'Dana@Club.org', created first: imported as dana@club.org ($2y$ prefix, PHP-style)
    row: {
      id: 7,
      email: 'Dana@Club.org',
      name: 'Dana Kapoor',
      role: 'MEMBER',
      is_active: true,
      created_at: '2024-08-10 10:30:00.500000',
      updated_at: '2024-08-10 10:30:00.500000',
    },
    password: 'dana-first-account',
    scheme: '$2y$05',
    canLogIn: true,
  },
  {
    // 'dana@club.org', the same email in other case, created later → skipped (duplicate_email)
    row: {
      id: 8,
      email: 'dana@club.org',
      name: 'Dana K',
      role: 'MEMBER',
      is_active: true,
      created_at: '2024-10-02 09:00:00.000000',
      updated_at: '2024-10-02 09:00:00.000000',
    },
    password: 'dana-second-account',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // role NULL and is_active NULL (a row from before the columns had defaults), no request → expired
    row: {
      id: 9,
      email: 'erin.mathew@dsclub.com',
      name: 'Erin Mathew',
      role: null,
      is_active: null,
      created_at: null,
      updated_at: null,
    },
    password: 'erin-no-role',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // an active MEMBER whose hash is not bcrypt ('sha256$hex') → imported, but password_unverifiable
    row: {
      id: 10,
      email: 'frank.menezes@dsclub.com',
      name: 'Frank Menezes',
      role: 'MEMBER',
      is_active: true,
      created_at: '2024-08-08 07:07:07.070707',
      updated_at: '2024-08-08 07:07:07.070707',
    },
    password: 'frank-sha-256',
    scheme: 'sha256',
    canLogIn: false,
  },
  {
    // an active MEMBER whose email has spaces and capitals → normalised grace.hopper@dsclub.com
    row: {
      id: 11,
      email: '  Grace.Hopper@DSClub.com ',
      name: 'Grace Hopper',
      role: 'MEMBER',
      is_active: true,
      created_at: '2024-08-12 13:00:00.000000',
      updated_at: '2024-08-12 13:00:00.000000',
    },
    password: 'grace-compiles',
    scheme: '$2a$05',
    canLogIn: true,
  },
]

const V1_EVENTS: Row[] = [
  // COMPLETED, with instructor and what_was_taught; one session, marks PRESENT and ABSENT
  {
    id: 1,
    title: 'Intro to Python for Data Science',
    description: 'First session of the term: no experience needed.',
    date: '2024-09-05 17:30:00.000000',
    instructor: 'Alice Sharma',
    status: 'COMPLETED',
    what_was_taught: 'Variables, lists and dicts; Jupyter basics',
    created_at: '2024-08-20 09:00:00.000000',
    updated_at: '2024-09-05 19:00:00.000000',
  },
  // COMPLETED, two attendance sessions (the code was reopened): the duplicate PRESENT lives here
  {
    id: 2,
    title: 'Pandas Workshop',
    description: 'Bring a laptop.',
    date: '2024-09-19 17:30:00.000000',
    instructor: 'Dr. R. Rao',
    status: 'COMPLETED',
    what_was_taught: 'DataFrames, groupby, merge',
    created_at: '2024-09-06 10:00:00.000000',
    updated_at: '2024-09-19 19:00:00.000000',
  },
  // ONGOING: its attendance session was never closed (is_active 1, ended_at NULL)
  {
    id: 3,
    title: 'ML Kickoff: Linear Models',
    description: null,
    date: '2024-10-03 17:30:00.000000',
    instructor: 'Club Admin',
    status: 'ONGOING',
    what_was_taught: null,
    created_at: '2024-09-20 10:00:00.000000',
    updated_at: '2024-10-03 17:31:00.000000',
  },
  // UPCOMING (left so after its day), no session, no attendance
  {
    id: 4,
    title: 'Deep Learning Night',
    description: 'CNNs from scratch.',
    date: '2024-11-14 18:00:00.000000',
    instructor: null,
    status: 'UPCOMING',
    what_was_taught: null,
    created_at: '2024-10-01 10:00:00.000000',
    updated_at: '2024-10-01 10:00:00.000000',
  },
  // CANCELLED, no attendance
  {
    id: 5,
    title: 'Visualisation Meetup',
    description: 'Matplotlib vs. Plotly.',
    date: '2024-10-17 17:30:00.000000',
    instructor: 'Bob Fernandes',
    status: 'CANCELLED',
    what_was_taught: null,
    created_at: '2024-09-25 10:00:00.000000',
    updated_at: '2024-10-16 08:00:00.000000',
  },
  // an unknown status 'POSTPONED' (9 characters: fits VARCHAR(9)) → imported, problem unknown_status
  {
    id: 6,
    title: 'Kaggle Sprint',
    description: null,
    date: '2024-10-24 17:30:00.000000',
    instructor: null,
    status: 'POSTPONED',
    what_was_taught: null,
    created_at: '2024-10-02 10:00:00.000000',
    updated_at: '2024-10-20 10:00:00.000000',
  },
]

const V1_SESSIONS: Row[] = [
  // event 1's session, closed
  {
    id: 1,
    event_id: 1,
    session_token: 'lGWbDMPG1NRQxFVpi4uUiA',
    is_active: false,
    started_at: '2024-09-05 17:35:00.100000',
    ended_at: '2024-09-05 18:05:00.000000',
  },
  // event 2's first session, closed
  {
    id: 2,
    event_id: 2,
    session_token: 'cMqeSEBZHE999PXHeIrTdg',
    is_active: false,
    started_at: '2024-09-19 17:35:00.000000',
    ended_at: '2024-09-19 17:50:00.000000',
  },
  // event 2's second session (reopened for latecomers), closed
  {
    id: 3,
    event_id: 2,
    session_token: 'Mx54HOYLQO9YPQ-s6o2P0g',
    is_active: false,
    started_at: '2024-09-19 18:10:00.000000',
    ended_at: '2024-09-19 18:25:00.000000',
  },
  // event 3's session, never closed: is_active 1 and ended_at NULL
  {
    id: 4,
    event_id: 3,
    session_token: 'Vda8VdmVJQwazX1RJO_A9w',
    is_active: true,
    started_at: '2024-10-03 17:40:00.000000',
    ended_at: null,
  },
  // a session of event 99, which does not exist → skipped (orphan)
  {
    id: 5,
    event_id: 99,
    session_token: 'rLywARp9rkK9qnvBdzPyqA',
    is_active: false,
    started_at: '2024-07-01 17:00:00.000000',
    ended_at: '2024-07-01 17:30:00.000000',
  },
]

const V1_MATERIALS: Row[] = [
  // attached to event 1, file present (relative path)
  {
    id: 1,
    event_id: 1,
    title: 'Python Cheatsheet',
    filename: 'python_cheatsheet.pdf',
    file_path: 'uploads/python_cheatsheet.pdf',
    description: 'One page, both sides.',
    uploaded_at: '2024-09-05 20:00:00.000000',
  },
  // attached to event 2, file present (absolute path from the old server; the upload is named apart from filename)
  {
    id: 2,
    event_id: 2,
    title: 'Pandas Workshop Notebook',
    filename: 'pandas_workshop.ipynb',
    file_path: '/home/dsclub/portal/backend/uploads/20240919_pandas_workshop.ipynb',
    description: null,
    uploaded_at: '2024-09-19 20:00:00.000000',
  },
  // attached to no event, file present
  {
    id: 3,
    event_id: null,
    title: 'Club Handbook',
    filename: 'handbook.txt',
    file_path: 'uploads/handbook.txt',
    description: 'How the club runs.',
    uploaded_at: '2024-08-02 09:00:00.000000',
  },
  // its file is not in the uploads dir → skipped (file_missing)
  {
    id: 4,
    event_id: 3,
    title: 'Linear Models Slides',
    filename: 'linear_models.pdf',
    file_path: 'uploads/linear_models.pdf',
    description: null,
    uploaded_at: '2024-10-03 20:00:00.000000',
  },
]

const V1_ATTENDANCE: Row[] = [
  // alice PRESENT at event 1 → imported
  { id: 1, user_id: 2, session_id: 1, status: 'PRESENT', marked_at: '2024-09-05 17:36:12.500000' },
  // bob PRESENT at event 1 → imported
  { id: 2, user_id: 3, session_id: 1, status: 'PRESENT', marked_at: '2024-09-05 17:37:01.000000' },
  // carol ABSENT at event 1 → skipped (absent): no mark
  { id: 3, user_id: 4, session_id: 1, status: 'ABSENT', marked_at: '2024-09-05 18:05:00.000000' },
  // Dana (the kept account) PRESENT at event 1 → imported
  { id: 4, user_id: 7, session_id: 1, status: 'PRESENT', marked_at: '2024-09-05 17:40:44.000000' },
  // alice PRESENT at event 2 again, via its second session: listed FIRST but marked LATER → skipped (duplicate_mark)
  { id: 5, user_id: 2, session_id: 3, status: 'PRESENT', marked_at: '2024-09-19 18:11:03.000000' },
  // alice PRESENT at event 2 via its first session: the earlier mark → imported
  { id: 6, user_id: 2, session_id: 2, status: 'PRESENT', marked_at: '2024-09-19 17:37:40.000000' },
  // bob ABSENT at event 2 → skipped (absent)
  { id: 7, user_id: 3, session_id: 2, status: 'ABSENT', marked_at: '2024-09-19 17:50:00.000000' },
  // the skipped duplicate 'dana@club.org' PRESENT at event 2 → skipped (user_skipped)
  { id: 8, user_id: 8, session_id: 2, status: 'PRESENT', marked_at: '2024-09-19 17:38:00.000000' },
  // frank (unverifiable password, but imported) PRESENT at event 2 → imported
  { id: 9, user_id: 10, session_id: 2, status: 'PRESENT', marked_at: '2024-09-19 17:39:00.000000' },
  // user 42 does not exist → skipped (orphan)
  { id: 10, user_id: 42, session_id: 1, status: 'PRESENT', marked_at: '2024-09-05 17:38:00.000000' },
  // session 77 does not exist → skipped (orphan)
  { id: 11, user_id: 2, session_id: 77, status: 'PRESENT', marked_at: '2024-09-12 17:38:00.000000' },
  // grace PRESENT at event 3 via the session left open → imported
  { id: 12, user_id: 11, session_id: 4, status: 'PRESENT', marked_at: '2024-10-03 17:41:30.000000' },
]

// ---------------------------------------------------------------------------
// v2: the upgraded portal (text ids, mostly UUIDs, some hand-made; upper-case enums in SQLite)

// users (non-UUID ids as the portal's seed and a hand migration made them)
const ADMIN = 'admin-default-uuid'
const PRIYA = 'u-7'
const RAHUL = '39e000df-4f9e-4515-abaa-f5f51f03a53f'
const SNEHA = 'u-9'
const VIKRAM = '1d49f299-c5d1-466a-a2d9-82ac74760256'
const MEERA = '12d305d6-ac9f-4f5f-9f9f-2d37bbb8d751'
const ARJUN = 'u-12'
const KAVYA = 'fd06b3e3-45f1-41f9-8d38-4bbd6cba8ac6'
const DEEPAK = 'e677edd3-f023-48cb-80c6-82b9993fa60a'
const DANA = 'u-20'
const DANA_DUP = 'u-21'
const NIKHIL = '8bde81e4-79e4-4b5c-80cd-49a5baaceb4c'
const ISHAAN = 'ebc4a3dd-29a5-40a6-a8a1-30785948d697'
// club events
const E_INTRO = '59be61ef-7c7a-4099-824d-c7e9c60a6b76'
const E_PANDAS = 'e-2'
const E_KAGGLE = 'c96138ca-9cd2-4ae8-b17c-261577c7b1b2'
const E_BOOTCAMP = 'a81707b7-3597-4beb-85aa-e0482227709b'
const E_MLOPS = '0bc0c126-8b76-408e-a3d7-840679d6defa'
// QR sessions
const Q_INTRO = 'qr-1a2b'
const Q_PANDAS_REVOKED = '3ba2527a-da76-4e42-94c8-807145a4415d'
const Q_PANDAS = 'a04a3211-db89-4891-9a03-27257e49a60e'
const Q_KAGGLE = 'a49ddf8d-6411-4152-ba63-2d6b3fa9bad9'
const Q_MLOPS = '38fa9e74-9dc8-450c-a27b-c9e99dd5c80d'
// attendance (the ones other rows point at)
const A_PRIYA_INTRO = 'ce13000b-9b30-48f7-beb1-ea5a76f6784f'
const AR_PRIYA = 'ar-1'
const AR_SNEHA = 'ff0f98cf-ca3f-4602-9d06-a925d651340f'
const AR_VIKRAM = '872fa83e-ea06-405c-90dc-30a08d3de3ce'

const UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Mobile Safari/537.36'
const UA_DESKTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36'

/** A v2 user row: every column, profile ones NULL unless given. */
function v2User(row: Row): Row {
  return {
    last_login_at: null,
    section: null,
    branch: null,
    year: null,
    bio: null,
    skills: null,
    ...row,
  }
}

const V2_USERS: UserSpec[] = [
  {
    // the seeded admin: hand-made id 'admin-default-uuid', role ADMIN, no approval request; the one cost-12 hash
    row: v2User({
      id: ADMIN,
      email: 'admin@dsclub.com',
      full_name: 'Administrator',
      role: 'ADMIN',
      is_active: true,
      created_at: '2025-07-01 00:00:00',
      updated_at: '2025-07-01 00:00:00',
      last_login_at: '2025-11-20 08:01:13.552100',
    }),
    password: 'Admin@123',
    scheme: '$2b$12',
    canLogIn: true,
  },
  {
    // 'u-7' style id; STUDENT with an APPROVED request decided by the admin → approved; messy skills text
    row: v2User({
      id: PRIYA,
      email: 'priya.nair@dsclub.com',
      full_name: 'Priya Nair',
      role: 'STUDENT',
      is_active: true,
      created_at: '2025-08-01 09:58:02.114233',
      updated_at: '2025-08-01 12:30:00.000000',
      last_login_at: '2025-09-10 17:34:50.000000',
      section: 'A',
      branch: 'CSE',
      year: '3',
      bio: 'Kaggle addict.',
      skills: 'python, pandas ,SQL,',
    }),
    password: 'priya-pass-7',
    scheme: '$2b$05',
    canLogIn: true,
  },
  {
    // STUDENT made directly by an admin: NO approval request → approved (a synthetic request); very old cost $2a$04$
    row: v2User({
      id: RAHUL,
      email: 'rahul.verma@dsclub.com',
      full_name: 'Rahul Verma',
      role: 'STUDENT',
      is_active: true,
      created_at: '2025-07-15 10:00:00',
      updated_at: '2025-07-15 10:00:00',
      branch: 'ECE',
      year: '2',
    }),
    password: 'rahul-old-hash',
    scheme: '$2a$04',
    canLogIn: true,
  },
  {
    // 'u-9': role NULL, is_active 0, request REJECTED with a reason → rejected
    row: v2User({
      id: SNEHA,
      email: 'sneha.patil@dsclub.com',
      full_name: 'Sneha Patil',
      role: null,
      is_active: false,
      created_at: '2025-08-25 15:00:00',
      updated_at: '2025-08-26 11:00:00',
    }),
    password: 'sneha-was-rejected',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // role NULL, request TIMEOUT → expired
    row: v2User({
      id: VIKRAM,
      email: 'vikram.singh@dsclub.com',
      full_name: 'Vikram Singh',
      role: null,
      is_active: false,
      created_at: '2025-08-31 00:00:10',
      updated_at: '2025-08-31 00:00:10',
    }),
    password: 'vikram-timed-out',
    scheme: '$2a$05',
    canLogIn: false,
  },
  {
    // role NULL, request still PENDING but its expires_at long past (the timeout job never ran) → expired
    row: v2User({
      id: MEERA,
      email: 'meera.joshi@dsclub.com',
      full_name: 'Meera Joshi',
      role: null,
      is_active: false,
      created_at: '2025-01-09 09:00:00',
      updated_at: '2025-01-09 09:00:00',
    }),
    password: 'meera-still-waits',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // 'u-12': role NULL and NO approval request → expired (pending with an expired synthetic request)
    row: v2User({
      id: ARJUN,
      email: 'arjun.mehta@dsclub.com',
      full_name: 'Arjun Mehta',
      role: null,
      is_active: false,
      created_at: '2025-10-01 12:00:00',
      updated_at: '2025-10-01 12:00:00',
    }),
    password: 'arjun-no-request',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // role NULL, request PENDING expiring in 2099 → pending
    row: v2User({
      id: KAVYA,
      email: 'kavya.reddy@dsclub.com',
      full_name: 'Kavya Reddy',
      role: null,
      is_active: false,
      created_at: '2025-11-28 18:00:00',
      updated_at: '2025-11-28 18:00:00',
    }),
    password: 'kavya-is-pending',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // STUDENT with an APPROVED request but is_active 0 → deactivated
    row: v2User({
      id: DEEPAK,
      email: 'deepak.kumar@dsclub.com',
      full_name: 'Deepak Kumar',
      role: 'STUDENT',
      is_active: false,
      created_at: '2025-08-03 10:00:00',
      updated_at: '2025-11-25 10:00:00',
    }),
    password: 'deepak-deactivated',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // 'dana@club.org', listed FIRST (lower rowid) but created LATER than 'Dana@Club.org' → skipped (duplicate_email);
    // its approval request, attendance and notification are skipped (user_skipped)
    row: v2User({
      id: DANA_DUP,
      email: 'dana@club.org',
      full_name: 'Dana K',
      role: 'STUDENT',
      is_active: true,
      created_at: '2025-09-02 08:00:00',
      updated_at: '2025-09-02 09:00:00',
    }),
    password: 'dana-second-account',
    scheme: '$2b$05',
    canLogIn: false,
  },
  {
    // 'Dana@Club.org', created first → imported as dana@club.org, approved ($2y$ prefix)
    row: v2User({
      id: DANA,
      email: 'Dana@Club.org',
      full_name: 'Dana Kapoor',
      role: 'STUDENT',
      is_active: true,
      created_at: '2025-08-05 10:30:00.500000',
      updated_at: '2025-08-05 11:00:00',
    }),
    password: 'dana-first-account',
    scheme: '$2y$05',
    canLogIn: true,
  },
  {
    // STUDENT, no request, hashed_password not bcrypt ('sha256$hex') → approved, but password_unverifiable
    row: v2User({
      id: NIKHIL,
      email: 'nikhil.rao@dsclub.com',
      full_name: 'Nikhil Rao',
      role: 'STUDENT',
      is_active: true,
      created_at: '2025-07-02 09:00:00',
      updated_at: '2025-07-02 09:00:00',
    }),
    password: 'nikhil-sha-256',
    scheme: 'sha256',
    canLogIn: false,
  },
  {
    // email with spaces and capitals → normalised ishaan.roy@dsclub.com; APPROVED request
    row: v2User({
      id: ISHAAN,
      email: '  Ishaan.Roy@DSClub.com ',
      full_name: 'Ishaan Roy',
      role: 'STUDENT',
      is_active: true,
      created_at: '2025-09-05 13:00:00',
      updated_at: '2025-09-05 15:00:00',
      section: 'B',
      branch: 'IT',
      year: '1',
      skills: 'R,statistics',
    }),
    password: 'ishaan-approved',
    scheme: '$2a$05',
    canLogIn: true,
  },
]

/** An APPROVED request as the portal wrote one: decided by the admin within hours, role STUDENT. */
function approved(id: string, userId: string, requestedAt: string, expiresAt: string, decidedAt: string): Row {
  return {
    id,
    user_id: userId,
    status: 'APPROVED',
    requested_at: requestedAt,
    expires_at: expiresAt,
    decided_at: decidedAt,
    decided_by: ADMIN,
    approved_role: 'STUDENT',
    rejection_reason: null,
  }
}

const V2_APPROVALS: Row[] = [
  // priya: APPROVED (approved_role STUDENT), decided_by the admin; hand-made id 'ar-1' → imported
  approved(AR_PRIYA, PRIYA, '2025-08-01 09:58:02.114233', '2025-08-02 09:58:02.114233', '2025-08-01 12:30:00'),
  // sneha: REJECTED with a reason → imported (rejected)
  {
    id: AR_SNEHA,
    user_id: SNEHA,
    status: 'REJECTED',
    requested_at: '2025-08-25 15:00:00',
    expires_at: '2025-08-26 15:00:00',
    decided_at: '2025-08-26 11:00:00',
    decided_by: ADMIN,
    approved_role: null,
    rejection_reason: 'Not a current student of the college',
  },
  // vikram: TIMEOUT (the job set decided_at, nobody decided) → imported (expired)
  {
    id: AR_VIKRAM,
    user_id: VIKRAM,
    status: 'TIMEOUT',
    requested_at: '2025-08-31 00:00:10',
    expires_at: '2025-09-01 00:00:10',
    decided_at: '2025-09-01 00:00:30',
    decided_by: null,
    approved_role: null,
    rejection_reason: null,
  },
  // meera: PENDING with expires_at long past → imported (expired)
  {
    id: 'e62f5e92-24ec-4c57-80df-8cb7b81cbc65',
    user_id: MEERA,
    status: 'PENDING',
    requested_at: '2025-01-09 09:00:00',
    expires_at: '2025-01-10 09:00:00',
    decided_at: null,
    decided_by: null,
    approved_role: null,
    rejection_reason: null,
  },
  // kavya: PENDING expiring in 2099 → imported (pending)
  {
    id: '3708d4bf-ffd2-4d04-91b7-8ad4ece7ef3c',
    user_id: KAVYA,
    status: 'PENDING',
    requested_at: '2025-11-28 18:00:00',
    expires_at: '2099-12-31 23:59:59',
    decided_at: null,
    decided_by: null,
    approved_role: null,
    rejection_reason: null,
  },
  // deepak: APPROVED (the user is now is_active 0) → imported
  approved(
    '1114bdbe-273f-40fd-bbcf-6c1cbd17489b',
    DEEPAK,
    '2025-08-03 10:00:00',
    '2025-08-04 10:00:00',
    '2025-08-03 12:00:00',
  ),
  // the skipped duplicate 'dana@club.org': APPROVED → skipped (user_skipped)
  approved('ar-21', DANA_DUP, '2025-09-02 08:00:00', '2025-09-03 08:00:00', '2025-09-02 09:00:00'),
  // Dana (kept): APPROVED → imported
  approved('ar-20', DANA, '2025-08-05 10:30:00.500000', '2025-08-06 10:30:00.500000', '2025-08-05 11:00:00'),
  // ishaan: APPROVED → imported
  approved(
    '24a251ec-6e7e-4778-9876-447d28c528a6',
    ISHAAN,
    '2025-09-05 13:00:00',
    '2025-09-06 13:00:00',
    '2025-09-05 15:00:00',
  ),
  // a request of user 'u-404', deleted by hand → skipped (orphan)
  {
    id: 'ar-404',
    user_id: 'u-404',
    status: 'PENDING',
    requested_at: '2025-08-15 10:00:00',
    expires_at: '2025-08-16 10:00:00',
    decided_at: null,
    decided_by: null,
    approved_role: null,
    rejection_reason: null,
  },
]

const V2_EVENTS: Row[] = [
  // a normal, completed event with attendance (status is PostgreSQL's column alone)
  {
    id: E_INTRO,
    title: 'Intro to Data Science',
    description: 'What the club does and how to get started.',
    scheduled_at: '2025-08-20 17:30:00',
    created_by: ADMIN,
    created_at: '2025-08-10 09:00:00',
    updated_at: '2025-08-20 19:00:00',
    is_deleted: false,
    deleted_at: null,
    notes: 'Slides on the drive.',
    status: 'completed',
  },
  // hand-made id 'e-2'; two QR sessions, one revoked
  {
    id: E_PANDAS,
    title: 'Pandas Deep Dive',
    description: null,
    scheduled_at: '2025-09-10 17:30:00',
    created_by: ADMIN,
    created_at: '2025-09-01 09:00:00',
    updated_at: '2025-09-10 19:00:00',
    is_deleted: false,
    deleted_at: null,
    notes: null,
    status: 'completed',
  },
  // DELETED (is_deleted 1, deleted_at set) WITH attendance → imported, then deleted
  {
    id: E_KAGGLE,
    title: 'Kaggle Night',
    description: 'Team up for a playground competition.',
    scheduled_at: '2025-09-24 18:00:00',
    created_by: ADMIN,
    created_at: '2025-09-15 09:00:00',
    updated_at: '2025-09-25 09:12:44.120000',
    is_deleted: true,
    deleted_at: '2025-09-25 09:12:44.120000',
    notes: null,
    status: 'completed',
  },
  // a future event: no QR session, no attendance
  {
    id: E_BOOTCAMP,
    title: 'ML Bootcamp',
    description: 'Three evenings of scikit-learn.',
    scheduled_at: '2027-03-04 17:30:00',
    created_by: ADMIN,
    created_at: '2025-11-01 09:00:00',
    updated_at: '2025-11-01 09:00:00',
    is_deleted: false,
    deleted_at: null,
    notes: null,
    status: 'scheduled',
  },
  // left 'active' on PostgreSQL after the day
  {
    id: E_MLOPS,
    title: 'Guest Lecture: MLOps',
    description: null,
    scheduled_at: '2025-11-20 16:00:00',
    created_by: ADMIN,
    created_at: '2025-11-05 09:00:00',
    updated_at: '2025-11-20 16:00:00',
    is_deleted: false,
    deleted_at: null,
    notes: 'Speaker from industry; recording not allowed.',
    status: 'active',
  },
]

/** A QR session as the portal issued them: 60 seconds, signed, one nonce. */
function qr(
  id: string,
  eventId: string,
  createdAt: string,
  expiresAt: string,
  token: string,
  signature: string,
  revokedAt: string | null = null,
): Row {
  return {
    id,
    event_id: eventId,
    session_token: `qr.${token}`,
    token_signature: signature,
    created_by: ADMIN,
    created_at: createdAt,
    expires_at: expiresAt,
    is_revoked: revokedAt !== null,
    revoked_at: revokedAt,
    nonce: token,
  }
}

const V2_QR_SESSIONS: Row[] = [
  // hand-made id 'qr-1a2b'; expired
  qr(
    Q_INTRO,
    E_INTRO,
    '2025-08-20 17:35:00',
    '2025-08-20 17:36:00',
    'csD1sg7mVZE6mIGy5guE6Q',
    '91cccf7f536701d720862e727748de77f2950662e8176d1fe0c73ce90f6ca27d',
  ),
  // revoked 20 s after it was issued (one mark came first)
  qr(
    Q_PANDAS_REVOKED,
    E_PANDAS,
    '2025-09-10 17:35:00',
    '2025-09-10 17:36:00',
    'Bd9GEGfaJ1h8bNIbt7G30g',
    '23e0d64d504220034769617ebb11c4c637ebbdb24b310b8c04cfb4864c6246e6',
    '2025-09-10 17:35:20.250000',
  ),
  // its replacement; expired
  qr(
    Q_PANDAS,
    E_PANDAS,
    '2025-09-10 17:35:21',
    '2025-09-10 17:36:21',
    'q63qKtOEEPy5g25XgBysMw',
    'c4f1e62dfb91989f8e8feb2ebe0afbaf32bc9e324015de1b27f17d50b845f7ac',
  ),
  // of the deleted event; expired
  qr(
    Q_KAGGLE,
    E_KAGGLE,
    '2025-09-24 18:05:00',
    '2025-09-24 18:06:00',
    'j6SgHASAmJUqsGJsD0I_PQ',
    'aec758088dd0ccb5d07e777b88287e4e11597e5a9adc76c53dce4b9277ab2b44',
  ),
  // expired
  qr(
    Q_MLOPS,
    E_MLOPS,
    '2025-11-20 16:10:00',
    '2025-11-20 16:11:00',
    'Jq_xScnMA_C2bfnc6-YqyA',
    'fc8d9cf4d8773dbe295fd2641dcb1768c150b3092ca46d0768eab97676293cc7',
  ),
  // of event 'e-gone', which does not exist → skipped (orphan)
  qr(
    'qr-orphan',
    'e-gone',
    '2025-08-01 17:00:00',
    '2025-08-01 17:01:00',
    'BFbS_-oDcVIwtuCYT07cZA',
    'f75fa4045929b7cbc3e1bb3aa537c723bf1ef899f59d2a52c2e3879596b00228',
  ),
]

/** A mark, with the phone's address and browser as the portal logged them. */
function mark(id: string, eventId: string, userId: string, qrId: string, at: string, ip = '10.20.0.14', ua = UA): Row {
  return { id, event_id: eventId, user_id: userId, qr_session_id: qrId, marked_at: at, ip_address: ip, user_agent: ua }
}

const V2_ATTENDANCE: Row[] = [
  // priya at the intro → imported
  mark(A_PRIYA_INTRO, E_INTRO, PRIYA, Q_INTRO, '2025-08-20 17:35:12.204311'),
  // rahul at the intro → imported
  mark('9b92583d-cd0f-4ce2-99af-fedfe9bf5c50', E_INTRO, RAHUL, Q_INTRO, '2025-08-20 17:35:20.000000', '10.20.0.15'),
  // Dana (kept) at the intro → imported
  mark('e375cabd-c5a6-4d8f-85d5-f69939442a3f', E_INTRO, DANA, Q_INTRO, '2025-08-20 17:35:41.870000', '10.20.0.16'),
  // the skipped duplicate 'dana@club.org' at the pandas event → skipped (user_skipped)
  mark('4cbb99a3-13b0-457e-9382-05ff17c25715', E_PANDAS, DANA_DUP, Q_PANDAS, '2025-09-10 17:35:30', '10.20.0.16'),
  // priya at the pandas event via the session revoked 10 s later → imported
  mark('6448a92b-3250-4fe6-a999-b0fc944ac3fe', E_PANDAS, PRIYA, Q_PANDAS_REVOKED, '2025-09-10 17:35:10.000000'),
  // ishaan at the pandas event → imported
  mark(
    '72f6a426-285b-4d23-9f99-bf261e344fa4',
    E_PANDAS,
    ISHAAN,
    Q_PANDAS,
    '2025-09-10 17:35:50.500000',
    '10.20.0.31',
    UA_DESKTOP,
  ),
  // priya at the DELETED Kaggle night → imported (the event is deleted after)
  mark('e21a317f-072d-4e51-9971-2b6dc46b5e26', E_KAGGLE, PRIYA, Q_KAGGLE, '2025-09-24 18:05:05'),
  // rahul at the DELETED Kaggle night → imported
  mark('f751e26d-4f1e-4f16-b5f4-a00efc21c465', E_KAGGLE, RAHUL, Q_KAGGLE, '2025-09-24 18:05:09', '10.20.0.15'),
  // deepak (deactivated later) at the guest lecture → imported
  mark('6b196c06-2c94-44d0-91a9-290d455a84c7', E_MLOPS, DEEPAK, Q_MLOPS, '2025-11-20 16:10:30', '10.20.1.2'),
  // nikhil (unverifiable password, still imported) at the guest lecture → imported
  mark('c3ea823d-f4e6-4ad5-add2-cc27e22f3f2d', E_MLOPS, NIKHIL, Q_MLOPS, '2025-11-20 16:10:31', '10.20.1.3'),
  // user 'u-ghost' does not exist → skipped (orphan)
  mark('6da1a571-073c-4d2e-b01a-71012d1589df', E_INTRO, 'u-ghost', Q_INTRO, '2025-08-20 17:35:50', '10.20.0.99'),
  // event 'e-gone' does not exist (nor, once imported, does its session) → skipped (orphan)
  mark('4fa607eb-227e-4f0d-ab2f-e8331d09db3b', 'e-gone', PRIYA, 'qr-orphan', '2025-08-01 17:00:30'),
  // QR session 'qr-vanished' does not exist → skipped (orphan)
  mark('a4c2cb68-6c5d-4189-b5ac-1df9e67bd959', E_MLOPS, RAHUL, 'qr-vanished', '2025-11-20 16:10:40', '10.20.0.15'),
]

// not imported: only counted (the replay guard's recent nonces; the portal swept older ones)
const V2_USED_NONCES: Row[] = [
  { nonce: 'csD1sg7mVZE6mIGy5guE6Q:1', user_id: PRIYA, used_at: '2025-08-20 17:35:12.204311' },
  { nonce: 'csD1sg7mVZE6mIGy5guE6Q:2', user_id: RAHUL, used_at: '2025-08-20 17:35:20' },
  { nonce: 'csD1sg7mVZE6mIGy5guE6Q:3', user_id: DANA, used_at: '2025-08-20 17:35:41.870000' },
  { nonce: 'q63qKtOEEPy5g25XgBysMw:1', user_id: ISHAAN, used_at: '2025-09-10 17:35:50.500000' },
  { nonce: 'Jq_xScnMA_C2bfnc6-YqyA:1', user_id: DEEPAK, used_at: '2025-11-20 16:10:30' },
  // one of a user that no longer exists (still only counted)
  { nonce: 'Jq_xScnMA_C2bfnc6-YqyA:2', user_id: 'u-ghost', used_at: '2025-11-20 16:10:33' },
]

const V2_AUDIT_LOGS: Row[] = [
  // priya signs up (all ten rows in time order; all imported)
  {
    id: 'edbed897-57fc-455f-b5d9-b384c7343818',
    user_id: PRIYA,
    action: 'signup',
    resource_type: 'user',
    resource_id: PRIYA,
    meta_data: { email: 'priya.nair@dsclub.com', full_name: 'Priya Nair' },
    ip_address: '10.20.0.14',
    user_agent: UA,
    created_at: '2025-08-01 09:58:02.114233',
  },
  // the admin logs in
  {
    id: 'fb2d57c5-6a95-4b40-919a-9cda38e1225f',
    user_id: ADMIN,
    action: 'login_success',
    resource_type: 'user',
    resource_id: ADMIN,
    meta_data: { method: 'password' },
    ip_address: '10.20.0.2',
    user_agent: UA_DESKTOP,
    created_at: '2025-08-01 12:29:40',
  },
  // the admin approves priya (resource_id is the hand-made request id 'ar-1')
  {
    id: 'd7e9f9c8-9f58-4f9c-9b37-35786429776e',
    user_id: ADMIN,
    action: 'approval_approved',
    resource_type: 'approval_request',
    resource_id: AR_PRIYA,
    meta_data: { user_id: PRIYA, approved_role: 'STUDENT' },
    ip_address: '10.20.0.2',
    user_agent: UA_DESKTOP,
    created_at: '2025-08-01 12:30:00',
  },
  // a failed login whose meta_data logged the request body: secrets the importer must redact
  {
    id: '7031b3bc-aa14-4414-9af2-9819628df0c7',
    user_id: PRIYA,
    action: 'login_failed',
    resource_type: 'user',
    resource_id: PRIYA,
    meta_data: { email: 'priya.nair@dsclub.com', password: 'hunter2', token: 'abc', reason: 'invalid_password' },
    ip_address: '10.20.0.14',
    user_agent: UA,
    created_at: '2025-08-02 08:00:05',
  },
  // the admin issues the intro's QR code
  {
    id: 'f91789ca-000a-4b30-a980-503376d108ac',
    user_id: ADMIN,
    action: 'qr_generated',
    resource_type: 'qr_session',
    resource_id: Q_INTRO,
    meta_data: { event_id: E_INTRO, expires_in_seconds: 60 },
    ip_address: '10.20.0.2',
    user_agent: UA_DESKTOP,
    created_at: '2025-08-20 17:35:00',
  },
  // priya marks attendance
  {
    id: 'e22b6d24-381c-48cc-9aa0-846114ff32bd',
    user_id: PRIYA,
    action: 'attendance_marked',
    resource_type: 'attendance',
    resource_id: A_PRIYA_INTRO,
    meta_data: { event_id: E_INTRO, qr_session_id: Q_INTRO },
    ip_address: '10.20.0.14',
    user_agent: UA,
    created_at: '2025-08-20 17:35:12.204311',
  },
  // the admin rejects sneha
  {
    id: 'c815ca36-d730-4106-9ee1-9cfaaeabb5d2',
    user_id: ADMIN,
    action: 'approval_rejected',
    resource_type: 'approval_request',
    resource_id: AR_SNEHA,
    meta_data: { user_id: SNEHA, reason: 'Not a current student of the college' },
    ip_address: '10.20.0.2',
    user_agent: UA_DESKTOP,
    created_at: '2025-08-26 11:00:00',
  },
  // user_id NULL: the system's timeout job
  {
    id: 'f77a2ae1-5126-43ce-b323-a6af8dafd6df',
    user_id: null,
    action: 'approval_timeout',
    resource_type: 'approval_request',
    resource_id: AR_VIKRAM,
    meta_data: { user_id: VIKRAM },
    ip_address: null,
    user_agent: null,
    created_at: '2025-09-01 00:00:30',
  },
  // the admin deletes the Kaggle night; meta_data NULL
  {
    id: '7ace85fa-8244-4aed-8a6f-4ddc45cf0956',
    user_id: ADMIN,
    action: 'event_deleted',
    resource_type: 'event',
    resource_id: E_KAGGLE,
    meta_data: null,
    ip_address: '10.20.0.2',
    user_agent: UA_DESKTOP,
    created_at: '2025-09-25 09:12:44.120000',
  },
  // ishaan logs in
  {
    id: '0675385b-4cba-45ca-97bb-3294cb2e156d',
    user_id: ISHAAN,
    action: 'login_success',
    resource_type: 'user',
    resource_id: ISHAAN,
    meta_data: { method: 'password' },
    ip_address: '10.20.0.31',
    user_agent: UA_DESKTOP,
    created_at: '2025-11-20 15:58:10',
  },
]

const V2_NOTIFICATIONS: Row[] = [
  // to the admin: priya's signup request, read → imported
  {
    id: 'e6256495-5081-4eec-88f3-3186ee2b8bf2',
    recipient_id: ADMIN,
    type: 'signup_request',
    title: 'New signup request',
    message: 'Priya Nair (priya.nair@dsclub.com) wants to join.',
    notification_data: { user_id: PRIYA, email: 'priya.nair@dsclub.com', approval_request_id: AR_PRIYA },
    is_read: true,
    created_at: '2025-08-01 09:58:02.200000',
    read_at: '2025-08-01 12:29:50',
  },
  // to the admin: meera's signup request, unread → imported
  {
    id: 'bee70685-6b18-4d7e-8943-6e0f5dfe0d11',
    recipient_id: ADMIN,
    type: 'signup_request',
    title: 'New signup request',
    message: 'Meera Joshi (meera.joshi@dsclub.com) wants to join.',
    notification_data: { user_id: MEERA, email: 'meera.joshi@dsclub.com' },
    is_read: false,
    created_at: '2025-01-09 09:00:01',
    read_at: null,
  },
  // to priya: approved, read → imported
  {
    id: 'fe8c0575-ebe6-4baa-a711-b28d1c6ec1e3',
    recipient_id: PRIYA,
    type: 'approval_approved',
    title: 'Welcome to DS Club',
    message: 'Your account was approved.',
    notification_data: { approved_role: 'STUDENT' },
    is_read: true,
    created_at: '2025-08-01 12:30:00.100000',
    read_at: '2025-08-01 18:00:00',
  },
  // to priya: attendance marked, unread → imported
  {
    id: 'e392bdd2-f16b-4710-b69e-6c18f4a48eb4',
    recipient_id: PRIYA,
    type: 'attendance_marked',
    title: 'Attendance recorded',
    message: 'You were marked present at Intro to Data Science.',
    notification_data: { event_id: E_INTRO, event_title: 'Intro to Data Science', attendance_id: A_PRIYA_INTRO },
    is_read: false,
    created_at: '2025-08-20 17:35:12.300000',
    read_at: null,
  },
  // to the skipped duplicate 'dana@club.org' → skipped (user_skipped)
  {
    id: '5dca5d3c-2472-4ee5-8768-fd3d2abda1cd',
    recipient_id: DANA_DUP,
    type: 'approval_approved',
    title: 'Welcome to DS Club',
    message: 'Your account was approved.',
    notification_data: { approved_role: 'STUDENT' },
    is_read: false,
    created_at: '2025-09-02 09:00:00.100000',
    read_at: null,
  },
  // to 'u-deleted', who does not exist → skipped (orphan)
  {
    id: '6d95011a-3437-443c-99bd-2e9094abd5de',
    recipient_id: 'u-deleted',
    type: 'approval_approved',
    title: 'Welcome to DS Club',
    message: 'Your account was approved.',
    notification_data: { approved_role: 'STUDENT' },
    is_read: false,
    created_at: '2025-08-12 10:00:00',
    read_at: null,
  },
  // to sneha: rejected; notification_data NULL, unread → imported
  {
    id: '43e186c7-df35-4da5-9414-59025c7e6cf5',
    recipient_id: SNEHA,
    type: 'approval_rejected',
    title: 'Signup not approved',
    message: 'Reason: Not a current student of the college',
    notification_data: null,
    is_read: false,
    created_at: '2025-08-26 11:00:00.100000',
    read_at: null,
  },
  // to ishaan: attendance marked at the hand-made-id event, read → imported
  {
    id: '8e8ce414-5ff7-4c77-917e-7d7f8e749634',
    recipient_id: ISHAAN,
    type: 'attendance_marked',
    title: 'Attendance recorded',
    message: 'You were marked present at Pandas Deep Dive.',
    notification_data: { event_id: E_PANDAS, event_title: 'Pandas Deep Dive' },
    is_read: true,
    created_at: '2025-09-10 17:35:50.600000',
    read_at: '2025-09-10 18:00:00',
  },
]

const V2_MATERIALS: Row[] = [
  // attached to the intro, file present; the stored name differs from the display file_name
  {
    id: '87341294-850f-4c4a-b3b0-7d8336fb5781',
    event_id: E_INTRO,
    title: 'Intro slides',
    description: 'The deck from the first session.',
    file_path: 'uploads/study_materials/5f0c8e1a_intro-to-ds.pdf',
    file_name: 'Intro to DS.pdf',
    uploaded_by: ADMIN,
    uploaded_at: '2025-08-20 20:00:00',
  },
  // attached to 'e-2', file present (absolute path from the container)
  {
    id: '94c2a92e-f34c-4bbd-ac45-5c6e839ccb5d',
    event_id: E_PANDAS,
    title: 'Pandas cheat sheet',
    description: null,
    file_path: '/app/backend/uploads/study_materials/pandas-cheatsheet.pdf',
    file_name: 'pandas-cheatsheet.pdf',
    uploaded_by: ADMIN,
    uploaded_at: '2025-09-10 20:00:00.000000',
  },
  // attached to no event, file present
  {
    id: 'd7336342-3a88-41d8-a652-ae3c7dccf052',
    event_id: null,
    title: 'Club handbook',
    description: 'How the club runs.',
    file_path: 'uploads/club-handbook.md',
    file_name: 'club-handbook.md',
    uploaded_by: ADMIN,
    uploaded_at: '2025-07-01 10:00:00',
  },
  // its file is not in the uploads dir → skipped (file_missing)
  {
    id: '327168ba-fb67-4a55-b1b4-bbef4cd1c65a',
    event_id: E_MLOPS,
    title: 'MLOps lecture notes',
    description: null,
    file_path: 'uploads/study_materials/mlops-notes.pdf',
    file_name: 'mlops-notes.pdf',
    uploaded_by: ADMIN,
    uploaded_at: '2025-11-20 18:00:00',
  },
]

// ---------------------------------------------------------------------------
// the API

const cache = new Map<LegacyVersion, LegacyData>()

/** A version's messy dataset (a fresh copy: callers may change it). Hashes are computed on first use. */
export function legacyData(version: LegacyVersion): LegacyData {
  let data = cache.get(version)
  if (!data) {
    data =
      version === 'v1'
        ? {
            users: usersWithHashes(V1_USERS),
            events: V1_EVENTS,
            attendance_sessions: V1_SESSIONS,
            study_materials: V1_MATERIALS,
            attendance_records: V1_ATTENDANCE,
          }
        : {
            users: usersWithHashes(V2_USERS),
            approval_requests: V2_APPROVALS,
            events: V2_EVENTS,
            qr_sessions: V2_QR_SESSIONS,
            attendance_records: V2_ATTENDANCE,
            used_nonces: V2_USED_NONCES,
            audit_logs: V2_AUDIT_LOGS,
            notifications: V2_NOTIFICATIONS,
            study_materials: V2_MATERIALS,
          }
    cache.set(version, data)
  }
  return structuredClone(data)
}

/** Every legacy user's known password, with whether they can log in after an import. */
export function credentials(version: LegacyVersion): Credential[] {
  return (version === 'v1' ? V1_USERS : V2_USERS).map((u) => ({
    email: String(u.row.email),
    password: u.password,
    canLogIn: u.canLogIn,
  }))
}

/** The materials whose file is not in the uploads dir (skipped as file_missing). */
const MISSING_UPLOADS = new Set(['uploads/linear_models.pdf', 'uploads/study_materials/mlops-notes.pdf'])

/** The bytes a material's upload holds (what createUploads writes), by file_path; absent for the missing ones. */
export function uploadContents(version: LegacyVersion): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  const materials = version === 'v1' ? V1_MATERIALS : V2_MATERIALS
  for (const m of materials) {
    const path = String(m.file_path)
    if (MISSING_UPLOADS.has(path)) continue
    const title = String(m.title)
    const body = path.endsWith('.pdf')
      ? `%PDF-1.4\n% ${title}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`
      : path.endsWith('.ipynb')
        ? `${JSON.stringify({ cells: [{ cell_type: 'markdown', source: [`# ${title}`] }], nbformat: 4, nbformat_minor: 5, metadata: {} })}\n`
        : `# ${title}\n\n${String(m.description ?? '')}\n`
    files.set(path, Buffer.from(body))
  }
  return files
}

// ---------------------------------------------------------------------------
// writing rows per engine

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const NAMESPACE = Buffer.from('9b3e7c1d5a2f4e6b8c0d1e2f3a4b5c6d', 'hex')

/**
 * The UUID that stands for a v2 id in the PostgreSQL flavour (whose id columns
 * are UUID): the id itself when it is one, else a name-based (version 5) UUID
 * of it, the same wherever the id is referenced.
 */
export function legacyUuid(id: string): string {
  if (UUID.test(id)) return id.toLowerCase()
  const h = createHash('sha1').update(NAMESPACE).update(id).digest()
  h[6] = (h[6]! & 0x0f) | 0x50
  h[8] = (h[8]! & 0x3f) | 0x80
  const hex = h.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** JSON as the portal's Python wrote it into SQLite (json.dumps: ', ' and ': ' separators). */
function pythonJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pythonJson(x)}`)
      .join(', ')}}`
  return JSON.stringify(v)
}

export interface TableRows {
  table: string
  columns: ColumnSpec[]
  /** one array per row, in `columns` order, as the engine's driver takes them */
  values: unknown[][]
}

/**
 * The rows of `data` as `engine` stores them, table by table in creation order:
 * SQLite gets 0/1, the text timestamps and JSON text; PostgreSQL gets booleans,
 * '+00' on v2's timestamptz, JSON text for jsonb, lower-case v2 enums and, for
 * v2, every non-UUID id replaced by legacyUuid() (in id columns, in
 * audit_logs.resource_id and inside JSON wherever a known id appears).
 */
export function engineRows(version: LegacyVersion, engine: LegacyEngine, data: LegacyData): TableRows[] {
  const mapIds = version === 'v2' && engine === 'postgres'
  const known = new Set<string>()
  if (mapIds) {
    for (const table of legacyTables(version)) {
      const idColumns = legacyColumns(version, engine, table).filter((c) => c.kind === 'id')
      for (const row of data[table] ?? [])
        for (const c of idColumns) {
          const v = row[c.name]
          if (typeof v === 'string' && !UUID.test(v)) known.add(v)
        }
    }
  }
  const mapJson = (v: unknown): unknown => {
    if (typeof v === 'string') return known.has(v) ? legacyUuid(v) : v
    if (Array.isArray(v)) return v.map(mapJson)
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapJson(x)]))
    return v
  }

  const convert = (c: ColumnSpec, v: unknown): unknown => {
    if (v === null) return null
    switch (c.kind) {
      case 'plain':
        return v
      case 'bool':
        return engine === 'sqlite' ? (v ? 1 : 0) : Boolean(v)
      case 'ts':
        return engine === 'postgres' && c.pg === 'timestamptz' ? `${String(v)}+00` : v
      case 'json': {
        const value = typeof v === 'string' ? JSON.parse(v) : v
        return engine === 'sqlite' ? pythonJson(value) : JSON.stringify(mapIds ? mapJson(value) : value)
      }
      case 'enum':
        return mapIds ? String(v).toLowerCase() : v
      case 'id':
        return mapIds ? legacyUuid(String(v)) : v
      case 'id_if_known':
        return mapIds && known.has(String(v)) ? legacyUuid(String(v)) : v
    }
  }

  return legacyTables(version).map((table) => {
    const columns = legacyColumns(version, engine, table)
    const names = new Set(legacyColumns(version, engine === 'sqlite' ? 'postgres' : 'sqlite', table).map((c) => c.name))
    for (const c of columns) names.add(c.name)
    const rows = data[table] ?? []
    const values = rows.map((row) => {
      for (const key of Object.keys(row))
        if (!names.has(key)) throw new Error(`legacy ${version} ${table}: no column ${key}`)
      return columns.map((c) => {
        const v = row[c.name]
        if (v === undefined) throw new Error(`legacy ${version} ${table}: row without ${c.name}`)
        return convert(c, v)
      })
    })
    return { table, columns, values }
  })
}
