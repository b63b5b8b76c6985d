/**
 * Cell values of the original portal's databases, as SQLite and PostgreSQL
 * hand them over, read into plain values. SQLAlchemy wrote naive UTC times
 * ('2026-01-18 16:31:33.196882', no zone); PostgreSQL's timestamptz arrives as
 * a Date. Pure: the readers pass raw cells, the plan reads them here.
 */

/** A time as ISO-8601 UTC, or null when the cell is empty or not a time. */
export function isoTime(v: unknown): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString()
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString()
  if (typeof v !== 'string' || v.trim() === '') return null
  let s = v.trim().replace(' ', 'T')
  // a naive time is UTC: the portal wrote datetime.utcnow()
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(s)) s += 'Z'
  // JavaScript keeps milliseconds; Python wrote microseconds
  s = s.replace(/(\.\d{3})\d+/, '$1')
  const t = Date.parse(s)
  return Number.isNaN(t) ? null : new Date(t).toISOString()
}

/** SQLite's 0/1, PostgreSQL's boolean, and the odd 'true' text. */
export function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0
  if (typeof v === 'string') return ['1', 'true', 't', 'yes'].includes(v.trim().toLowerCase())
  return false
}

/** Trimmed text, null when empty. */
export function text(v: unknown): string | null {
  if (v === null || v === undefined) return null
  const s = (typeof v === 'string' ? v : String(v)).trim()
  return s === '' ? null : s
}

/** An id as text (integers of v1, UUIDs and hand-made strings of v2). */
export function idOf(v: unknown): string | null {
  if (v === null || v === undefined) return null
  if (typeof v === 'number' || typeof v === 'bigint') return String(v)
  return text(v)
}

/** A JSON cell: parsed text (SQLite), the value itself (jsonb); null when it is not JSON. */
export function json(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null
  try {
    return JSON.parse(v)
  } catch {
    return null
  }
}

/** An enum cell in either spelling ('STUDENT' written by SQLAlchemy's names, 'student' by the enum's values). */
export function lower(v: unknown): string | null {
  return text(v)?.toLowerCase() ?? null
}

/**
 * Legacy rows in the order they happened, by the time `at` gives (rows
 * without one first, or wherever `missing` sorts), ties by legacy id: the
 * same order on every run, which keeps a plan's event order stable.
 */
export const chronologically =
  <T extends { id: string }>(at: (row: T) => string | null, missing = '') =>
  (a: T, b: T): number =>
    (at(a) ?? missing).localeCompare(at(b) ?? missing) || a.id.localeCompare(b.id)
