import { uuidV5 } from '../uuid'

/**
 * Stable ids for what a legacy row becomes, so that importing the same
 * source twice finds its own events (a retried append with the same ids
 * stores nothing twice) instead of writing them again.
 */

// a fixed namespace: changing it would make a second import duplicate the first
const NAMESPACE = Buffer.from('4c3e7a1d9b2f4e6a8d0c1b2a3f4e5d6c', 'hex')

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const isUuid = (s: string): boolean => UUID.test(s)

/** A legacy id that is a UUID is kept (lower case); an integer or hand-made one becomes a UUID of the source, table and id. */
export function entityId(source: string, table: string, legacyId: string): string {
  return isUuid(legacyId)
    ? legacyId.toLowerCase()
    : uuidV5(NAMESPACE, ['entity', source, table, legacyId].join('\u0000'))
}

/** The id of the `step`-th event a legacy row becomes ('signup', 'decision'…). */
export function eventId(source: string, table: string, legacyId: string, step: string): string {
  return uuidV5(NAMESPACE, ['event', source, table, legacyId, step].join('\u0000'))
}
