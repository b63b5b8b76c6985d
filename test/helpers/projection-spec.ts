import type { Kysely } from 'kysely'
import type { Test } from 'tap'
import type { Database } from '../../src/db/database'
import type { DomainEvent } from '../../src/domain/decider'
import {
  type Consumer,
  type Projection,
  type RowChange,
  type TableName,
  handles,
  isIncrement,
} from '../../src/projections/projection'
import type { EventMetadata, StoredEvent } from '../../src/store/event-store'

/**
 * Read-model specifications, no database needed:
 *
 *   projection(t, usersProjection).given([signupRequested, approved]).then({ users: [row] })
 *
 * Each event is wrapped as the store would hand it over (stream, revision,
 * position, recorded_at), projected, and its row changes applied in order to
 * empty in-memory tables, as applyChanges applies them in SQL: an insert of a
 * key that exists fails, an update or delete of a missing row changes
 * nothing, `{ increment }` adds. `then` compares every table the projection
 * owns with the rows listed (jsonb columns parsed, rows in key order).
 */

/** The key of each table (what an upsert or `onConflict: 'nothing'` is judged on). */
const KEYS: Record<TableName, string[]> = {
  projection_checkpoints: ['name'],
  users: ['id'],
  approval_requests: ['id'],
  club_events: ['id'],
  club_calendar: ['id'],
  qr_sessions: ['id'],
  attendance_records: ['id'],
  member_marks: ['user_id'],
  notifications: ['id'],
  notification_admins: ['user_id'],
  notification_club_events: ['id'],
  notification_attendees: ['club_event_id', 'user_id'],
  notification_feed: ['id'],
  notification_unread: ['user_id'],
  audit_log: ['id'],
  event_chain: ['position'],
  resources: ['id'],
  legacy_ids: ['source', 'legacy_table', 'legacy_id'],
}

/** Column defaults the migrations declare. */
const DEFAULTS: Partial<Record<TableName, Record<string, unknown>>> = {
  club_events: { attendance_count: 0 },
  notifications: { count: 1 },
  resources: { downloads: 0 },
}

/** jsonb columns, written as JSON text: parsed back for comparison. */
const JSON_COLUMNS: Partial<Record<TableName, string[]>> = {
  users: ['skills'],
  club_events: ['geofence'],
  attendance_records: ['location'],
  notifications: ['data'],
  audit_log: ['details'],
}

type Row = Record<string, unknown>
export type Rows = Partial<Record<TableName, Row[]>>

/** A domain event, or one with its own store envelope (stream, metadata…) where the test cares. */
export type GivenEvent = DomainEvent | (DomainEvent & Partial<Omit<StoredEvent, 'type' | 'data'>>)

export function storedOf(e: GivenEvent, i: number): StoredEvent {
  const base = e as Partial<StoredEvent>
  return {
    id: base.id ?? `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    type: e.type,
    data: e.data,
    metadata: base.metadata ?? ({} as EventMetadata),
    stream: base.stream ?? `spec-${i}`,
    revision: base.revision ?? 0n,
    position: base.position ?? `1:${i + 1}`,
    recorded_at: base.recorded_at ?? new Date(Date.UTC(2025, 2, 1, 12, 0, i)),
  }
}

const keyOf = (table: TableName, row: Row) => JSON.stringify(KEYS[table].map((k) => row[k]))
const matches = (row: Row, where: Row) => Object.entries(where).every(([k, v]) => row[k] === v)

/** Applies changes to in-memory tables, as applyChanges does in SQL. */
function applyInMemory(tables: Map<TableName, Row[]>, changes: RowChange[]): void {
  for (const c of changes as (RowChange & { table: TableName })[]) {
    const rows = tables.get(c.table) ?? []
    tables.set(c.table, rows)
    switch (c.kind) {
      case 'insert':
      case 'upsert': {
        const row = { ...DEFAULTS[c.table], ...(c.row as Row) }
        const existing = rows.find((r) => keyOf(c.table, r) === keyOf(c.table, row))
        if (!existing) rows.push(row)
        else if (c.kind === 'upsert') {
          for (const col of c.update) existing[col] = row[col]
          for (const col of c.increment ?? []) existing[col] = (existing[col] as number) + (row[col] as number)
        } else if (c.onConflict !== 'nothing') throw new Error(`duplicate key in ${c.table}: ${keyOf(c.table, row)}`)
        break
      }
      case 'update':
        for (const r of rows.filter((r) => matches(r, c.where as Row)))
          for (const [col, v] of Object.entries(c.set as Row))
            r[col] = isIncrement(v) ? (r[col] as number) + v.increment : v
        break
      case 'delete':
        tables.set(
          c.table,
          rows.filter((r) => !matches(r, c.where as Row)),
        )
        break
    }
  }
}

function readable(table: TableName, rows: Row[]): Row[] {
  const json = JSON_COLUMNS[table] ?? []
  return rows
    .map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, json.includes(k) && typeof v === 'string' ? JSON.parse(v) : v]),
      ),
    )
    .sort((a, b) => keyOf(table, a).localeCompare(keyOf(table, b)))
}

export function projection<E extends DomainEvent>(t: Test, p: Projection<E, Database>) {
  return {
    given(events: readonly GivenEvent[]) {
      const tables = new Map<TableName, Row[]>()
      for (const [i, e] of events.entries()) {
        const stored = storedOf(e, i)
        if (handles(p, stored)) applyInMemory(tables, p.project(stored))
      }
      return {
        then(expected: Rows, message = 'the rows of its tables'): void {
          const actual = Object.fromEntries(p.tables.map((table) => [table, readable(table, tables.get(table) ?? [])]))
          const wanted = Object.fromEntries(p.tables.map((table) => [table, readable(table, expected[table] ?? [])]))
          t.same(actual, wanted, message)
        },
      }
    },
  }
}

/**
 * The same specification for a consumer that reads its own tables while it
 * writes (the notifications reactor), on a real database:
 *
 *   const spec = consumer(t, db, notificationsConsumer)
 *   await spec.given([signup]).then({ notifications: [row] })
 *
 * Each `given` is one batch, handled in one transaction when its `then` runs
 * (do not await `given` itself); batches follow one another. `then` compares
 * the rows of the tables it lists (times as ISO strings, rows in key order).
 */
export function consumer(t: Test, db: Kysely<Database>, c: Consumer) {
  let offset = 0
  return {
    given(events: readonly GivenEvent[]) {
      const stored = events.map((e, i) => storedOf(e, offset + i))
      offset += events.length
      return {
        async then(expected: Rows, message = 'the rows of its tables'): Promise<void> {
          await db.transaction().execute((trx) => c.handle(trx, stored))
          const actual: Rows = {}
          const wanted: Rows = {}
          for (const table of Object.keys(expected) as TableName[]) {
            const rows = (await db.selectFrom(table).selectAll().execute()) as Row[]
            const plain = rows.map((r) =>
              Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
            )
            actual[table] = readable(table, plain)
            wanted[table] = readable(table, expected[table] ?? [])
          }
          t.same(actual, wanted, message)
        },
      }
    },
  }
}
