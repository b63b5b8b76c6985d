import type { Keyset } from '../projections/keyset'
import { errors } from './errors'

/**
 * Every list pages by a keyset (projections/keyset.ts); its cursor is that
 * keyset as base64url JSON `[time, id]`, opaque to clients.
 */
export function encodeCursor(next: Keyset | null): string | null {
  return next === null ? null : Buffer.from(JSON.stringify([next.at.toISOString(), next.id])).toString('base64url')
}

// exactly what encodeCursor writes; anything else would reach PostgreSQL as a
// bad ::uuid or timestamptz and fail as a 500
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The keyset a cursor holds; a cursor that is not one of ours is a 400. */
export function decodeCursor(cursor: string | undefined): Keyset | undefined {
  if (cursor === undefined || cursor === '') return undefined
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(key) && key.length === 2) {
      const [at, id] = key as unknown[]
      if (
        typeof at === 'string' &&
        TIME.test(at) &&
        !Number.isNaN(Date.parse(at)) &&
        typeof id === 'string' &&
        UUID.test(id)
      )
        return { at: new Date(at), id }
    }
  } catch {
    // fall through
  }
  throw errors.validation(undefined, undefined, 'cursor is not valid')
}
