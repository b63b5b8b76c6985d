import type { ExpectedRevision } from '../event-store'

/**
 * The SQL of the PostgreSQL/PGlite adapter. An append is ONE statement (an
 * implicit transaction): a data-modifying CTE moves the stream's revision
 * under its row lock, and the events are inserted only if that step returned
 * a row. The expected-revision check therefore lives in SQL, for every state.
 */

// Read queries alias es_events as `e` and ORDER BY e.column: a bare name in
// ORDER BY means the OUTPUT column, and these are cast to text ('10' < '9').
const COLUMNS = `e.position::text AS position, e.tx::text AS tx, e.id::text AS id, e.stream, e.revision::text AS revision, e.type, e.data, e.metadata, e.recorded_at`

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

/**
 * Group commit for the hot path: single-event `no_stream` appends to DISTINCT
 * streams in one statement. A stream that exists already gets no row (the
 * caller then reports its conflict alone). Streams are claimed in sorted
 * order, so two batches that share streams cannot deadlock.
 * $1 streams, $2 ids, $3 types, $4 data, $5 metadata
 */
export const APPEND_NEW_STREAMS = {
  name: 'es_append_new_streams',
  text: `WITH input AS (
      SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[]) WITH ORDINALITY AS i(stream, id, type, data, metadata, ord)
    ), s AS (
      INSERT INTO es_streams (stream, revision) SELECT stream, 0 FROM input ORDER BY stream
      ON CONFLICT (stream) DO NOTHING RETURNING stream
    )
    INSERT INTO es_events (id, stream, revision, type, data, metadata)
    SELECT i.id, i.stream, 0, i.type, i.data, i.metadata FROM input i JOIN s ON s.stream = i.stream ORDER BY i.ord
    RETURNING stream, position::text AS position, tx::text AS tx`,
}

export const STREAM_REVISION = { name: 'es_stream_revision', text: `SELECT revision::text AS revision FROM es_streams WHERE stream = $1` }

export const EVENTS_BY_ID = {
  name: 'es_events_by_id',
  text: `SELECT ${COLUMNS} FROM es_events e WHERE e.id = ANY($1::uuid[]) ORDER BY e.position`,
}

/** Several streams in one round trip (concurrent readStream calls, batched). */
export const READ_STREAMS = { name: 'es_read_streams', text: `SELECT ${COLUMNS} FROM es_events e WHERE e.stream = ANY($1::text[]) ORDER BY e.stream, e.revision` }

// Only transactions older than every running one are visible, in (tx, position)
// order, after an opaque (tx, position) checkpoint. Never `position > n` alone.
export const READ_ALL = {
  name: 'es_read_all',
  text: `SELECT ${COLUMNS} FROM es_events e
         WHERE (e.tx, e.position) > ($1::xid8, $2::bigint)
           AND e.tx < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY e.tx, e.position
         LIMIT $3`,
}

export const HEAD = {
  name: 'es_head',
  text: `SELECT e.position::text AS position, e.tx::text AS tx FROM es_events e
         WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY e.tx DESC, e.position DESC LIMIT 1`,
}

export const WAKE_CHANNEL = 'es_appended'
