import { errors } from './errors'

/** Keyset pagination: the cursor is the last row's sort key, opaque to clients. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/** What one key of a cursor must be before it reaches SQL. */
export type CursorKey = 'timestamp' | 'uuid'

// what encodeCursor writes for a Date (toISOString) and a uuid column; anything
// else would reach PostgreSQL as a bad ::uuid or timestamptz and fail as a 500
const KEY_SHAPE: Record<CursorKey, (k: unknown) => boolean> = {
  timestamp: (k) =>
    typeof k === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(k) &&
    !Number.isNaN(Date.parse(k)),
  uuid: (k) => typeof k === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(k),
}

/**
 * The key a cursor holds, each part checked against `shape`; a cursor that is
 * not one of ours is a 400. (A bare arity checks only the count: the caller
 * must then check each key itself.)
 */
export function decodeCursor(
  cursor: string | undefined,
  shape: number | readonly CursorKey[],
): (string | number)[] | undefined {
  if (cursor === undefined || cursor === '') return undefined
  const arity = typeof shape === 'number' ? shape : shape.length
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k, i) =>
        typeof shape === 'number' ? typeof k === 'string' || typeof k === 'number' : KEY_SHAPE[shape[i]!](k),
      )
    )
      return key as (string | number)[]
  } catch {
    // fall through
  }
  throw errors.validation(undefined, undefined, 'cursor is not valid')
}
