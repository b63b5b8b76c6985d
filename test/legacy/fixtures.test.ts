import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import pg from 'pg'
import t, { type Test } from 'tap'
import { createPgFixture, createSqliteFixture, createUploads, loadSqlJs } from '../helpers/legacy/build'
import { expected, statuses } from '../helpers/legacy/expected'
import { generateV2Postgres, generateV2Sqlite } from '../helpers/legacy/generate'
import { credentials, legacyData, legacyUuid } from '../helpers/legacy/messy'
import { type LegacyVersion, legacyColumns, legacyTables } from '../helpers/legacy/schemas'
import { createTestDatabase } from '../helpers/services'

/**
 * The legacy portal fixtures themselves: each of the four (schema version ×
 * engine) databases holds messy.ts's rows, its hashes verify against the known
 * passwords, expected.ts adds up, and the generator writes what it says.
 */
const VERSIONS: LegacyVersion[] = ['v1', 'v2']
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

type Query = (sql: string) => Promise<Record<string, unknown>[]>

async function sqliteQuery(file: string): Promise<{ query: Query; close: () => void }> {
  const SQL = await loadSqlJs()
  const db = new SQL.Database(await readFile(file))
  const query: Query = async (sql) => {
    const [result] = db.exec(sql)
    if (!result) return []
    return result.values.map((v) => Object.fromEntries(result.columns.map((c, i) => [c, v[i]])))
  }
  return { query, close: () => db.close() }
}

async function pgQuery(url: string): Promise<{ query: Query; close: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return { query: async (sql) => (await client.query(sql)).rows, close: () => client.end() }
}

const countOf = async (query: Query, table: string) => Number((await query(`SELECT count(*) AS n FROM ${table}`))[0]!.n)

/** Every table holds the dataset's rows, and every bcrypt hash verifies against its known password. */
async function checkFixture(t: Test, version: LegacyVersion, query: Query): Promise<void> {
  const data = legacyData(version)
  for (const table of legacyTables(version))
    t.equal(await countOf(query, table), data[table]!.length, `${table}: every row of the dataset`)

  const hashes = new Map(
    (await query('SELECT email, hashed_password FROM users')).map((r) => [String(r.email), String(r.hashed_password)]),
  )
  const prefixes = [...hashes.values()].map((h) => h.slice(0, 7))
  t.equal(prefixes.filter((p) => p === '$2b$12$').length, 1, 'exactly one cost-12 hash')
  t.ok(prefixes.includes('$2a$04$'), 'a very old cost-4 $2a$ hash')
  t.ok(
    prefixes.some((p) => p.startsWith('$2y$')),
    'a $2y$ hash',
  )
  t.equal(prefixes.filter((p) => !p.startsWith('$2')).length, 1, 'one hash that is not bcrypt')
  for (const c of credentials(version)) {
    const hash = hashes.get(c.email)
    if (hash === undefined) {
      t.fail(`no user ${c.email}`)
      continue
    }
    if (hash.startsWith('$2')) t.ok(bcrypt.compareSync(c.password, hash), `${c.email}: the hash verifies`)
    else t.equal(hash, `sha256$${createHash('sha256').update(c.password).digest('hex')}`, `${c.email}: sha256`)
  }
}

t.test('expected.ts adds up over messy.ts', async (t) => {
  for (const version of VERSIONS) {
    const data = legacyData(version)
    const e = expected(version)
    t.same(Object.keys(e.tables).sort(), [...legacyTables(version)].sort(), `${version}: every legacy table`)
    for (const [table, outcome] of Object.entries(e.tables)) {
      t.equal(outcome.rows, data[table]!.length, `${version} ${table}: rows`)
      const skipped = Object.values(outcome.skipped).reduce((a: number, b) => a + (b ?? 0), 0)
      t.equal(outcome.imported + skipped, outcome.rows, `${version} ${table}: imported + skipped = rows`)
    }
    const s = statuses(version)
    t.equal(Object.keys(s).length, e.counts.users, `${version}: a status per imported user`)
    t.equal(e.counts.users, e.tables.users.imported, `${version}: users`)
    t.equal(e.counts.approval_requests, e.counts.users, `${version}: one approval request per imported user`)
    for (const c of credentials(version)) {
      const status = s[c.email.trim().toLowerCase()]
      t.ok(status, `${version} ${c.email}: a status`)
      if (c.canLogIn) t.equal(status, 'approved', `${version} ${c.email}: logs in, so approved`)
    }
  }
})

t.test('SQLite fixtures', async (t) => {
  const dir = t.testdir()
  for (const version of VERSIONS) {
    const file = join(dir, `${version}.db`)
    await createSqliteFixture(version, file)
    const db = await sqliteQuery(file)
    try {
      await checkFixture(t, version, db.query)
      if (version === 'v2') {
        const ids = (await db.query('SELECT id FROM users')).map((r) => String(r.id))
        t.ok(ids.includes('admin-default-uuid') && ids.includes('u-7'), 'v2 SQLite keeps the hand-made ids')
      } else {
        const carol = await db.query(`SELECT role, is_active FROM users WHERE email = 'carol.dsouza@dsclub.com'`)
        t.same(carol, [{ role: 'MEMBER', is_active: 0 }], 'booleans as 0/1')
      }
    } finally {
      db.close()
    }
  }
})

t.test('PostgreSQL fixtures', async (t) => {
  for (const version of VERSIONS) {
    const url = await createTestDatabase(t)
    await createPgFixture(version, url)
    const db = await pgQuery(url)
    try {
      await checkFixture(t, version, db.query)
      if (version === 'v2') {
        // no id is anything but a UUID, and references still meet (or miss) as in SQLite
        for (const table of legacyTables('v2'))
          for (const c of legacyColumns('v2', 'postgres', table).filter((c) => c.kind === 'id')) {
            const bad = await db.query(`SELECT ${c.name} AS v FROM ${table} WHERE ${c.name} IS NOT NULL`)
            t.ok(
              bad.every((r) => UUID.test(String(r.v))),
              `${table}.${c.name}: UUIDs`,
            )
          }
        const admin = await db.query(`SELECT id, role FROM users WHERE email = 'admin@dsclub.com'`)
        t.same(admin, [{ id: legacyUuid('admin-default-uuid'), role: 'admin' }], 'the admin under its mapped id')
        const joined = await db.query(
          `SELECT count(*)::int AS n FROM attendance_records a JOIN users u ON u.id = a.user_id
           JOIN events e ON e.id = a.event_id JOIN qr_sessions q ON q.id = a.qr_session_id`,
        )
        t.equal(joined[0]!.n, 10, 'marks whose user, event and session exist: all but the three orphans')
        const redacted = await db.query(
          `SELECT meta_data->>'password' AS p FROM audit_logs WHERE action = 'login_failed'`,
        )
        t.same(redacted, [{ p: 'hunter2' }], 'the secret in meta_data (for the importer to redact)')
      } else {
        const next = await db.query(`SELECT nextval(pg_get_serial_sequence('users', 'id'))::int AS n`)
        t.equal(next[0]!.n, 12, 'the serial sequences are past the rows')
      }
    } finally {
      await db.close()
    }
  }
})

t.test('uploads: every material file but the missing one', async (t) => {
  for (const version of VERSIONS) {
    const dir = join(t.testdir(), version)
    await createUploads(version, dir)
    const materials = legacyData(version).study_materials!
    const names = materials.map((m) => String(m.file_path).split('/').pop())
    const written = await readdir(dir)
    t.equal(written.length, materials.length - 1, `${version}: all but one written`)
    t.ok(
      written.every((f) => names.includes(f)),
      `${version}: named after file_path`,
    )
  }
})

t.test('the generator, small', async (t) => {
  const sizes = { users: 50, events: 5, attendance: 200 }
  const file = join(t.testdir(), 'big.db')
  const lite = await generateV2Sqlite(file, sizes)
  t.equal(lite.tables.users, 50)
  t.equal(lite.tables.events, 5)
  t.equal(lite.tables.attendance_records, 200)
  t.equal(lite.tables.qr_sessions, 15)
  const db = await sqliteQuery(file)
  try {
    for (const [table, n] of Object.entries(lite.tables)) t.equal(await countOf(db.query, table), n, `SQLite ${table}`)
    const [admin] = await db.query(`SELECT hashed_password FROM users WHERE email = '${lite.adminEmail}'`)
    t.ok(bcrypt.compareSync(lite.password, String(admin!.hashed_password)), 'the shared password verifies')
  } finally {
    db.close()
  }

  const url = await createTestDatabase(t)
  const big = await generateV2Postgres(url, sizes)
  t.same(big.tables, lite.tables, 'the same data on both engines')
  const pgDb = await pgQuery(url)
  try {
    for (const [table, n] of Object.entries(big.tables)) t.equal(await countOf(pgDb.query, table), n, `PG ${table}`)
    const [roles] = await pgDb.query(`SELECT count(*) FILTER (WHERE role = 'student')::int AS students FROM users`)
    t.equal(roles!.students, 49, 'students, lower-case on PostgreSQL')
  } finally {
    await pgDb.close()
  }

  await t.rejects(generateV2Sqlite(file, { users: 3, events: 1, attendance: 3 }), /do not fit/)
})
