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

/**
 * The stream step of an append. $1 stream, $2 number of events; a guarded
 * statement (an append that needs ANOTHER stream to be unchanged) takes the
 * guard as $7 stream and $8 revision, and an exact expected revision comes
 * after the guard. When the guard does not hold the step returns no row, so
 * nothing is inserted: the check and the write are one statement.
 */
function streamStep(kind: 'no_stream' | 'stream_exists' | 'any' | 'exact', guarded: boolean): string {
  const guard = guarded ? `EXISTS (SELECT 1 FROM es_streams g WHERE g.stream = $7 AND g.revision = $8::bigint)` : 'TRUE'
  switch (kind) {
    case 'no_stream':
      return `INSERT INTO es_streams (stream, revision) SELECT $1::text, $2::bigint - 1 WHERE ${guard}
              ON CONFLICT (stream) DO NOTHING RETURNING revision`
    case 'stream_exists':
      return `UPDATE es_streams SET revision = revision + $2::bigint WHERE stream = $1 AND ${guard} RETURNING revision`
    case 'any':
      return `INSERT INTO es_streams (stream, revision) SELECT $1::text, $2::bigint - 1 WHERE ${guard}
              ON CONFLICT (stream) DO UPDATE SET revision = es_streams.revision + $2::bigint RETURNING revision`
    case 'exact':
      return `UPDATE es_streams SET revision = revision + $2::bigint WHERE stream = $1 AND revision = ${guarded ? '$9' : '$7'}::bigint AND ${guard} RETURNING revision`
  }
}

function appendSql(
  kind: 'no_stream' | 'stream_exists' | 'any' | 'exact',
  guarded: boolean,
): { name: string; text: string } {
  return {
    name: `es_append_${kind}${guarded ? '_guarded' : ''}`,
    text: `WITH s AS (${streamStep(kind, guarded)})
    INSERT INTO es_events (id, stream, revision, type, data, metadata)
    SELECT e.id, $1, s.revision - $2::bigint + e.ord, e.type, e.data, e.metadata
    FROM s, unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
    RETURNING position::text AS position, tx::text AS tx, revision::text AS revision`,
  }
}

const KINDS = ['no_stream', 'stream_exists', 'any', 'exact'] as const
type Kind = (typeof KINDS)[number]
export const APPEND = Object.fromEntries(KINDS.map((k) => [k, appendSql(k, false)])) as Record<
  Kind,
  { name: string; text: string }
>
const APPEND_GUARDED = Object.fromEntries(KINDS.map((k) => [k, appendSql(k, true)])) as Record<
  Kind,
  { name: string; text: string }
>

export function appendStatement(expected: ExpectedRevision, guarded: boolean): { name: string; text: string } {
  return (guarded ? APPEND_GUARDED : APPEND)[typeof expected === 'bigint' ? 'exact' : expected]
}

/**
 * Group commit for the hot path: single-event `no_stream` appends to DISTINCT
 * streams in one statement. A stream that exists already, or whose guard does
 * not hold, gets no row (the caller then reports its conflict alone). Streams
 * are claimed in sorted order, so two batches that share streams cannot deadlock.
 * $1 streams, $2 ids, $3 types, $4 data, $5 metadata, $6 guard streams and
 * $7 guard revisions (NULL for an append without a guard)
 */
export const APPEND_NEW_STREAMS = {
  name: 'es_append_new_streams',
  text: `WITH input AS (
      SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[], $7::bigint[])
        WITH ORDINALITY AS i(stream, id, type, data, metadata, guard_stream, guard_revision, ord)
    ), s AS (
      INSERT INTO es_streams (stream, revision) SELECT i.stream, 0 FROM input i
      WHERE i.guard_stream IS NULL OR EXISTS (SELECT 1 FROM es_streams g WHERE g.stream = i.guard_stream AND g.revision = i.guard_revision)
      ORDER BY i.stream
      ON CONFLICT (stream) DO NOTHING RETURNING stream
    )
    INSERT INTO es_events (id, stream, revision, type, data, metadata)
    SELECT i.id, i.stream, 0, i.type, i.data, i.metadata FROM input i JOIN s ON s.stream = i.stream ORDER BY i.ord
    RETURNING stream, position::text AS position, tx::text AS tx`,
}

export const STREAM_REVISION = {
  name: 'es_stream_revision',
  text: `SELECT revision::text AS revision FROM es_streams WHERE stream = $1`,
}

export const EVENTS_BY_ID = {
  name: 'es_events_by_id',
  text: `SELECT ${COLUMNS} FROM es_events e WHERE e.id = ANY($1::uuid[]) ORDER BY e.position`,
}

/**
 * Several streams in one round trip (concurrent readStream calls, batched),
 * each in revision order. One index scan per stream, whatever the planner's
 * statistics say: `stream = ANY($1)` is estimated from them, and with none
 * (a store just bulk-loaded by an import, before autovacuum has analysed it)
 * the campus history's 1.2 M events planned a parallel sequential scan, 540 ms
 * for 200 streams where this takes 2 ms.
 */
export const READ_STREAMS = {
  name: 'es_read_streams',
  text: `SELECT ${COLUMNS} FROM unnest($1::text[]) AS s(stream)
         CROSS JOIN LATERAL (SELECT * FROM es_events x WHERE x.stream = s.stream ORDER BY x.revision) e`,
}

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
