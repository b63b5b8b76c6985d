/**
 * The original DS Club Portal's databases, as the importer meets them: two
 * schema generations ("v1", the SQLAlchemy models before the upgrade, found as
 * backend/ds_club_old.db; "v2", backend/schema.sql and its PostgreSQL twin
 * backend/supabase_schema.sql) on two engines.
 *
 * No foreign key is enforced anywhere: the portal's data has orphans (rows
 * whose user, event or session is gone) and the fixtures must be able to hold
 * them. v2 SQLite keeps the REFERENCES clauses of schema.sql for the record;
 * SQLite only enforces them under `PRAGMA foreign_keys = ON`, which the
 * builders never set. Triggers, views and row-level security are left out: the
 * importer only reads the tables.
 */
export type LegacyVersion = 'v1' | 'v2'
export type LegacyEngine = 'sqlite' | 'postgres'

export const V1_TABLES = ['users', 'events', 'attendance_sessions', 'study_materials', 'attendance_records'] as const
export const V2_TABLES = [
  'users',
  'approval_requests',
  'events',
  'qr_sessions',
  'attendance_records',
  'used_nonces',
  'audit_logs',
  'notifications',
  'study_materials',
] as const
export type V1Table = (typeof V1_TABLES)[number]
export type V2Table = (typeof V2_TABLES)[number]
export type LegacyTable<V extends LegacyVersion = LegacyVersion> = V extends 'v1' ? V1Table : V2Table

/** The tables of a version, in the order they are created and filled. */
export function legacyTables<V extends LegacyVersion>(version: V): readonly LegacyTable<V>[] {
  return (version === 'v1' ? V1_TABLES : V2_TABLES) as readonly LegacyTable<V>[]
}

// ---------------------------------------------------------------------------
// v1: SQLAlchemy's DDL as found in ds_club_old.db (sqlite_master), verbatim

const V1_SQLITE = [
  'CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR NOT NULL, name VARCHAR NOT NULL, hashed_password VARCHAR NOT NULL, role VARCHAR(7), is_active BOOLEAN, created_at DATETIME, updated_at DATETIME, PRIMARY KEY (id))',
  'CREATE UNIQUE INDEX ix_users_email ON users (email)',
  'CREATE TABLE events (id INTEGER NOT NULL, title VARCHAR NOT NULL, description TEXT, date DATETIME NOT NULL, instructor VARCHAR, status VARCHAR(9), what_was_taught TEXT, created_at DATETIME, updated_at DATETIME, PRIMARY KEY (id))',
  'CREATE TABLE attendance_sessions (id INTEGER NOT NULL, event_id INTEGER, session_token VARCHAR NOT NULL, is_active BOOLEAN, started_at DATETIME, ended_at DATETIME, PRIMARY KEY (id), UNIQUE (session_token))',
  'CREATE TABLE study_materials (id INTEGER NOT NULL, event_id INTEGER, title VARCHAR NOT NULL, filename VARCHAR NOT NULL, file_path VARCHAR NOT NULL, description TEXT, uploaded_at DATETIME, PRIMARY KEY (id))',
  'CREATE TABLE attendance_records (id INTEGER NOT NULL, user_id INTEGER, session_id INTEGER, status VARCHAR(7), marked_at DATETIME, PRIMARY KEY (id))',
]

/** The same models created by SQLAlchemy on PostgreSQL (the enums kept as varchar, as in SQLite). */
const V1_POSTGRES = [
  'CREATE TABLE users (id SERIAL NOT NULL, email VARCHAR NOT NULL, name VARCHAR NOT NULL, hashed_password VARCHAR NOT NULL, role VARCHAR(7), is_active BOOLEAN, created_at TIMESTAMP WITHOUT TIME ZONE, updated_at TIMESTAMP WITHOUT TIME ZONE, PRIMARY KEY (id))',
  'CREATE UNIQUE INDEX ix_users_email ON users (email)',
  'CREATE TABLE events (id SERIAL NOT NULL, title VARCHAR NOT NULL, description TEXT, date TIMESTAMP WITHOUT TIME ZONE NOT NULL, instructor VARCHAR, status VARCHAR(9), what_was_taught TEXT, created_at TIMESTAMP WITHOUT TIME ZONE, updated_at TIMESTAMP WITHOUT TIME ZONE, PRIMARY KEY (id))',
  'CREATE TABLE attendance_sessions (id SERIAL NOT NULL, event_id INTEGER, session_token VARCHAR NOT NULL, is_active BOOLEAN, started_at TIMESTAMP WITHOUT TIME ZONE, ended_at TIMESTAMP WITHOUT TIME ZONE, PRIMARY KEY (id), UNIQUE (session_token))',
  'CREATE TABLE study_materials (id SERIAL NOT NULL, event_id INTEGER, title VARCHAR NOT NULL, filename VARCHAR NOT NULL, file_path VARCHAR NOT NULL, description TEXT, uploaded_at TIMESTAMP WITHOUT TIME ZONE, PRIMARY KEY (id))',
  'CREATE TABLE attendance_records (id SERIAL NOT NULL, user_id INTEGER, session_id INTEGER, status VARCHAR(7), marked_at TIMESTAMP WITHOUT TIME ZONE, PRIMARY KEY (id))',
]

// ---------------------------------------------------------------------------
// v2 SQLite: backend/schema.sql (with the profile columns added later)

const V2_SQLITE = [
  `CREATE TABLE users (
    id TEXT PRIMARY KEY, -- UUID as string for SQLite
    email TEXT UNIQUE NOT NULL,
    full_name TEXT NOT NULL,
    hashed_password TEXT NOT NULL,
    role TEXT CHECK(role IN ('STUDENT', 'ADMIN')), -- NULL until approved
    is_active INTEGER DEFAULT 0 NOT NULL, -- Boolean (0=false, 1=true)
    created_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL,
    updated_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL,
    last_login_at TEXT,
    section TEXT,
    branch TEXT,
    year TEXT,
    bio TEXT,
    skills TEXT, -- comma-separated
    CHECK (email GLOB '*@*.*')
  )`,
  'CREATE INDEX idx_users_email ON users(email)',
  'CREATE INDEX idx_users_role_active ON users(role, is_active)',
  `CREATE TABLE approval_requests (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status TEXT DEFAULT 'PENDING' CHECK(status IN ('PENDING', 'APPROVED', 'REJECTED', 'TIMEOUT')) NOT NULL,
    requested_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL,
    expires_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT REFERENCES users(id),
    approved_role TEXT CHECK(approved_role IN ('STUDENT', 'ADMIN')),
    rejection_reason TEXT,
    UNIQUE(user_id)
  )`,
  'CREATE INDEX idx_approval_requests_status ON approval_requests(status)',
  'CREATE INDEX idx_approval_requests_expires ON approval_requests(expires_at)',
  `CREATE TABLE events (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    scheduled_at TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL,
    updated_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL,
    is_deleted INTEGER DEFAULT 0 NOT NULL,
    deleted_at TEXT,
    notes TEXT
  )`,
  'CREATE INDEX idx_events_scheduled ON events(scheduled_at)',
  'CREATE INDEX idx_events_active ON events(is_deleted) WHERE is_deleted = 0',
  `CREATE TABLE qr_sessions (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events(id),
    session_token TEXT UNIQUE NOT NULL,
    token_signature TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL,
    expires_at TEXT NOT NULL,
    is_revoked INTEGER DEFAULT 0 NOT NULL,
    revoked_at TEXT,
    nonce TEXT UNIQUE NOT NULL,
    CHECK (expires_at > created_at)
  )`,
  'CREATE INDEX idx_qr_sessions_event ON qr_sessions(event_id)',
  `CREATE TABLE attendance_records (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    qr_session_id TEXT NOT NULL REFERENCES qr_sessions(id),
    marked_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL,
    ip_address TEXT,
    user_agent TEXT,
    UNIQUE(event_id, user_id)
  )`,
  'CREATE INDEX idx_attendance_user ON attendance_records(user_id)',
  `CREATE TABLE used_nonces (
    nonce TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    used_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL,
    UNIQUE(nonce, user_id)
  )`,
  `CREATE TABLE audit_logs (
    id TEXT PRIMARY KEY,
    user_id TEXT, -- Nullable for system actions
    action TEXT NOT NULL,
    resource_type TEXT,
    resource_id TEXT,
    meta_data TEXT, -- JSON string
    ip_address TEXT,
    user_agent TEXT,
    created_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL
  )`,
  'CREATE INDEX idx_audit_logs_created ON audit_logs(created_at DESC)',
  `CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    recipient_id TEXT NOT NULL REFERENCES users(id),
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT,
    notification_data TEXT, -- JSON string
    is_read INTEGER DEFAULT 0 NOT NULL,
    created_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL,
    read_at TEXT
  )`,
  'CREATE INDEX idx_notifications_recipient_read ON notifications(recipient_id, is_read)',
  `CREATE TABLE study_materials (
    id TEXT PRIMARY KEY,
    event_id TEXT REFERENCES events(id),
    title TEXT NOT NULL,
    description TEXT,
    file_path TEXT NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    uploaded_at TEXT DEFAULT (datetime('now', 'utc')) NOT NULL
  )`,
  'CREATE INDEX idx_materials_event ON study_materials(event_id)',
]

// ---------------------------------------------------------------------------
// v2 PostgreSQL: backend/supabase_schema.sql, without its foreign keys,
// triggers and row-level security (orphans must be insertable)

const V2_POSTGRES = [
  "CREATE TYPE user_role AS ENUM ('student', 'admin')",
  "CREATE TYPE approval_status AS ENUM ('pending', 'approved', 'rejected', 'timeout')",
  `CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email VARCHAR(255) UNIQUE NOT NULL,
    full_name VARCHAR(255) NOT NULL,
    hashed_password VARCHAR(255) NOT NULL,
    role user_role, -- NULL until approved
    is_active BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    last_login_at TIMESTAMPTZ,
    section VARCHAR(50),
    branch VARCHAR(100),
    year VARCHAR(20),
    bio TEXT,
    skills TEXT
  )`,
  'CREATE INDEX idx_users_role_active ON users(role, is_active)',
  `CREATE TABLE approval_requests (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL UNIQUE,
    status approval_status NOT NULL DEFAULT 'pending',
    requested_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ,
    decided_by UUID,
    approved_role VARCHAR(20) CHECK (approved_role IN ('student', 'admin')),
    rejection_reason TEXT
  )`,
  'CREATE INDEX idx_approval_requests_status ON approval_requests(status)',
  `CREATE TABLE events (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    title VARCHAR(255) NOT NULL,
    description TEXT,
    scheduled_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    is_deleted BOOLEAN NOT NULL DEFAULT FALSE,
    deleted_at TIMESTAMPTZ,
    notes TEXT,
    status VARCHAR(20) DEFAULT 'scheduled' -- scheduled | active | completed | cancelled
  )`,
  'CREATE INDEX idx_events_scheduled ON events(scheduled_at)',
  `CREATE TABLE qr_sessions (
    id VARCHAR(64) PRIMARY KEY,
    event_id UUID NOT NULL,
    session_token TEXT UNIQUE NOT NULL,
    token_signature TEXT NOT NULL,
    created_by UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    expires_at TIMESTAMPTZ NOT NULL,
    is_revoked BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_at TIMESTAMPTZ,
    nonce VARCHAR(64) UNIQUE NOT NULL,
    CHECK (expires_at > created_at)
  )`,
  'CREATE INDEX idx_qr_sessions_event ON qr_sessions(event_id)',
  `CREATE TABLE attendance_records (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id UUID NOT NULL,
    user_id UUID NOT NULL,
    qr_session_id VARCHAR(64) NOT NULL,
    marked_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    ip_address VARCHAR(45),
    user_agent TEXT,
    UNIQUE (event_id, user_id)
  )`,
  'CREATE INDEX idx_attendance_user ON attendance_records(user_id)',
  `CREATE TABLE used_nonces (
    nonce VARCHAR(64) PRIMARY KEY,
    user_id UUID NOT NULL,
    used_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
  )`,
  `CREATE TABLE audit_logs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID, -- NULL for system actions
    action VARCHAR(100) NOT NULL,
    resource_type VARCHAR(50),
    resource_id VARCHAR(255),
    meta_data JSONB,
    ip_address VARCHAR(45),
    user_agent TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
  )`,
  'CREATE INDEX idx_audit_logs_created ON audit_logs(created_at DESC)',
  `CREATE TABLE notifications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    recipient_id UUID NOT NULL,
    type VARCHAR(50) NOT NULL,
    title VARCHAR(255) NOT NULL,
    message TEXT,
    notification_data JSONB,
    is_read BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    read_at TIMESTAMPTZ
  )`,
  'CREATE INDEX idx_notifications_recipient_read ON notifications(recipient_id, is_read)',
  `CREATE TABLE study_materials (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id UUID,
    title VARCHAR(255) NOT NULL,
    description TEXT,
    file_path TEXT NOT NULL,
    file_name VARCHAR(255) NOT NULL,
    uploaded_by UUID NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
  )`,
]

/** The statements that create a version's tables on an engine (an empty database expected). */
export function legacyDdl(version: LegacyVersion, engine: LegacyEngine): string[] {
  if (version === 'v1') return [...(engine === 'sqlite' ? V1_SQLITE : V1_POSTGRES)]
  return [...(engine === 'sqlite' ? V2_SQLITE : V2_POSTGRES)]
}

// ---------------------------------------------------------------------------
// what each column holds, so one engine-neutral row can be written to either engine

/**
 * - `plain`: written as is (text, integers; v1 ids are plain integers)
 * - `id`: a v2 id or a reference to one; on PostgreSQL a non-UUID one becomes legacyUuid(id)
 * - `id_if_known`: free text that may hold an id (audit_logs.resource_id): mapped only when it is a known id
 * - `bool`: 0/1 in SQLite, boolean in PostgreSQL
 * - `ts`: 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC; '+00' is appended for a PostgreSQL timestamptz
 * - `json`: a value (or raw JSON text) stored as text in SQLite, jsonb in PostgreSQL; known ids inside are mapped
 * - `enum`: the SQLite spelling (upper case); lower-cased for PostgreSQL v2
 */
export type ColumnKind = 'plain' | 'id' | 'id_if_known' | 'bool' | 'ts' | 'json' | 'enum'

export interface ColumnSpec {
  name: string
  kind: ColumnKind
  /** the PostgreSQL type (for casts such as unnest($1::uuid[])) */
  pg: string
  /** a column only one engine has (v2 events.status is PostgreSQL's alone) */
  only?: LegacyEngine
}

const col = (name: string, kind: ColumnKind, pg: string, only?: LegacyEngine): ColumnSpec =>
  only ? { name, kind, pg, only } : { name, kind, pg }

const V1_COLUMNS: Record<V1Table, ColumnSpec[]> = {
  users: [
    col('id', 'plain', 'int4'),
    col('email', 'plain', 'text'),
    col('name', 'plain', 'text'),
    col('hashed_password', 'plain', 'text'),
    col('role', 'plain', 'text'),
    col('is_active', 'bool', 'bool'),
    col('created_at', 'ts', 'timestamp'),
    col('updated_at', 'ts', 'timestamp'),
  ],
  events: [
    col('id', 'plain', 'int4'),
    col('title', 'plain', 'text'),
    col('description', 'plain', 'text'),
    col('date', 'ts', 'timestamp'),
    col('instructor', 'plain', 'text'),
    col('status', 'plain', 'text'),
    col('what_was_taught', 'plain', 'text'),
    col('created_at', 'ts', 'timestamp'),
    col('updated_at', 'ts', 'timestamp'),
  ],
  attendance_sessions: [
    col('id', 'plain', 'int4'),
    col('event_id', 'plain', 'int4'),
    col('session_token', 'plain', 'text'),
    col('is_active', 'bool', 'bool'),
    col('started_at', 'ts', 'timestamp'),
    col('ended_at', 'ts', 'timestamp'),
  ],
  study_materials: [
    col('id', 'plain', 'int4'),
    col('event_id', 'plain', 'int4'),
    col('title', 'plain', 'text'),
    col('filename', 'plain', 'text'),
    col('file_path', 'plain', 'text'),
    col('description', 'plain', 'text'),
    col('uploaded_at', 'ts', 'timestamp'),
  ],
  attendance_records: [
    col('id', 'plain', 'int4'),
    col('user_id', 'plain', 'int4'),
    col('session_id', 'plain', 'int4'),
    col('status', 'plain', 'text'),
    col('marked_at', 'ts', 'timestamp'),
  ],
}

const V2_COLUMNS: Record<V2Table, ColumnSpec[]> = {
  users: [
    col('id', 'id', 'uuid'),
    col('email', 'plain', 'text'),
    col('full_name', 'plain', 'text'),
    col('hashed_password', 'plain', 'text'),
    col('role', 'enum', 'user_role'),
    col('is_active', 'bool', 'bool'),
    col('created_at', 'ts', 'timestamptz'),
    col('updated_at', 'ts', 'timestamptz'),
    col('last_login_at', 'ts', 'timestamptz'),
    col('section', 'plain', 'text'),
    col('branch', 'plain', 'text'),
    col('year', 'plain', 'text'),
    col('bio', 'plain', 'text'),
    col('skills', 'plain', 'text'),
  ],
  approval_requests: [
    col('id', 'id', 'uuid'),
    col('user_id', 'id', 'uuid'),
    col('status', 'enum', 'approval_status'),
    col('requested_at', 'ts', 'timestamptz'),
    col('expires_at', 'ts', 'timestamptz'),
    col('decided_at', 'ts', 'timestamptz'),
    col('decided_by', 'id', 'uuid'),
    col('approved_role', 'enum', 'text'),
    col('rejection_reason', 'plain', 'text'),
  ],
  events: [
    col('id', 'id', 'uuid'),
    col('title', 'plain', 'text'),
    col('description', 'plain', 'text'),
    col('scheduled_at', 'ts', 'timestamptz'),
    col('created_by', 'id', 'uuid'),
    col('created_at', 'ts', 'timestamptz'),
    col('updated_at', 'ts', 'timestamptz'),
    col('is_deleted', 'bool', 'bool'),
    col('deleted_at', 'ts', 'timestamptz'),
    col('notes', 'plain', 'text'),
    col('status', 'plain', 'text', 'postgres'),
  ],
  qr_sessions: [
    col('id', 'id', 'text'),
    col('event_id', 'id', 'uuid'),
    col('session_token', 'plain', 'text'),
    col('token_signature', 'plain', 'text'),
    col('created_by', 'id', 'uuid'),
    col('created_at', 'ts', 'timestamptz'),
    col('expires_at', 'ts', 'timestamptz'),
    col('is_revoked', 'bool', 'bool'),
    col('revoked_at', 'ts', 'timestamptz'),
    col('nonce', 'plain', 'text'),
  ],
  attendance_records: [
    col('id', 'id', 'uuid'),
    col('event_id', 'id', 'uuid'),
    col('user_id', 'id', 'uuid'),
    col('qr_session_id', 'id', 'text'),
    col('marked_at', 'ts', 'timestamptz'),
    col('ip_address', 'plain', 'text'),
    col('user_agent', 'plain', 'text'),
  ],
  used_nonces: [col('nonce', 'plain', 'text'), col('user_id', 'id', 'uuid'), col('used_at', 'ts', 'timestamptz')],
  audit_logs: [
    col('id', 'id', 'uuid'),
    col('user_id', 'id', 'uuid'),
    col('action', 'plain', 'text'),
    col('resource_type', 'plain', 'text'),
    col('resource_id', 'id_if_known', 'text'),
    col('meta_data', 'json', 'jsonb'),
    col('ip_address', 'plain', 'text'),
    col('user_agent', 'plain', 'text'),
    col('created_at', 'ts', 'timestamptz'),
  ],
  notifications: [
    col('id', 'id', 'uuid'),
    col('recipient_id', 'id', 'uuid'),
    col('type', 'plain', 'text'),
    col('title', 'plain', 'text'),
    col('message', 'plain', 'text'),
    col('notification_data', 'json', 'jsonb'),
    col('is_read', 'bool', 'bool'),
    col('created_at', 'ts', 'timestamptz'),
    col('read_at', 'ts', 'timestamptz'),
  ],
  study_materials: [
    col('id', 'id', 'uuid'),
    col('event_id', 'id', 'uuid'),
    col('title', 'plain', 'text'),
    col('description', 'plain', 'text'),
    col('file_path', 'plain', 'text'),
    col('file_name', 'plain', 'text'),
    col('uploaded_by', 'id', 'uuid'),
    col('uploaded_at', 'ts', 'timestamptz'),
  ],
}

/** A table's columns as an engine has them (v2 events.status only on PostgreSQL). */
export function legacyColumns(version: LegacyVersion, engine: LegacyEngine, table: string): ColumnSpec[] {
  const all = (version === 'v1' ? V1_COLUMNS : V2_COLUMNS) as Record<string, ColumnSpec[]>
  const columns = all[table]
  if (!columns) throw new Error(`no legacy ${version} table ${table}`)
  return columns.filter((c) => c.only === undefined || c.only === engine)
}
