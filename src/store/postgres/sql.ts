import type { ExpectedRevision } from '../event-store'

/**
 * The SQL of the PostgreSQL/PGlite adapter. An append is ONE statement (an
 * implicit transaction): a data-modifying CTE moves the stream's revision
 * under its row lock, and the events are inserted only if that step returned
 * a row. The expected-revision check therefore lives in SQL, for every state.
 */

const COLUMNS = `position::text AS position, tx::text AS tx, id::text AS id, stream, revision::text AS revision, type, data, metadata, recorded_at`

// $1 stream, $2 number of events
const STREAM_STEP: Record<'no_stream' | 'stream_exists' | 'any' | 'exact', string> = {
  no_stream: `INSERT INTO es_streams (stream, revision) VALUES ($1, $2::bigint - 1)
              ON CONFLICT (stream) DO NOTHING RETURNING revision`,
  stream_exists: `UPDATE es_streams SET revision = revision + $2::bigint WHERE stream = $1 RETURNING revision`,
  any: `INSERT INTO es_streams (stream, revision) VALUES ($1, $2::bigint - 1)
        ON CONFLICT (stream) DO UPDATE SET revision = es_streams.revision + $2::bigint RETURNING revision`,
  // $7 the expected revision
  exact: `UPDATE es_streams SET revision = revision + $2::bigint WHERE stream = $1 AND revision = $7::bigint RETURNING revision`,
}

function appendSql(step: string): string {
  return `WITH s AS (${step})
    INSERT INTO es_events (id, stream, revision, type, data, metadata)
    SELECT e.id, $1, s.revision - $2::bigint + e.ord, e.type, e.data, e.metadata
    FROM s, unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
    RETURNING position::text AS position, tx::text AS tx, revision::text AS revision`
}

export const APPEND = {
  no_stream: { name: 'es_append_no_stream', text: appendSql(STREAM_STEP.no_stream) },
  stream_exists: { name: 'es_append_stream_exists', text: appendSql(STREAM_STEP.stream_exists) },
  any: { name: 'es_append_any', text: appendSql(STREAM_STEP.any) },
  exact: { name: 'es_append_exact', text: appendSql(STREAM_STEP.exact) },
} as const

export function appendStatement(expected: ExpectedRevision): { name: string; text: string } {
  return typeof expected === 'bigint' ? APPEND.exact : APPEND[expected]
}

export const STREAM_REVISION = { name: 'es_stream_revision', text: `SELECT revision::text AS revision FROM es_streams WHERE stream = $1` }

export const EVENTS_BY_ID = {
  name: 'es_events_by_id',
  text: `SELECT position::text AS position, tx::text AS tx, stream, revision::text AS revision, id::text AS id, type, data, metadata
         FROM es_events WHERE id = ANY($1::uuid[]) ORDER BY position`,
}

export const READ_STREAM = { name: 'es_read_stream', text: `SELECT ${COLUMNS} FROM es_events WHERE stream = $1 ORDER BY revision` }

// Only transactions older than every running one are visible, in (tx, position)
// order, after an opaque (tx, position) checkpoint. Never `position > n` alone.
export const READ_ALL = {
  name: 'es_read_all',
  text: `SELECT ${COLUMNS} FROM es_events
         WHERE (tx, position) > ($1::xid8, $2::bigint)
           AND tx < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY tx, position
         LIMIT $3`,
}

export const HEAD = {
  name: 'es_head',
  text: `SELECT position::text AS position, tx::text AS tx FROM es_events
         WHERE tx < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY tx DESC, position DESC LIMIT 1`,
}

export const WAKE_CHANNEL = 'es_appended'
