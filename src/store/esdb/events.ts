import { type EventData, type JSONType, type RecordedEvent, jsonEvent } from '@eventstore/db-client'
import type { EventMetadata, NewEvent, StoredEvent } from '../event-store'
import { encodePosition } from './positions'

/**
 * Our event id becomes ESDB's event id: that is what makes a retried append
 * idempotent on the server (see esdb-event-store.ts for the exact guarantee).
 * `data: undefined` is stored as null, as the PostgreSQL adapter does.
 */
export function toEventData(e: NewEvent): EventData {
  return jsonEvent({
    id: e.id,
    type: e.type,
    data: (e.data ?? null) as JSONType,
    metadata: e.metadata ?? {},
  })
}

/**
 * ESDB's own events ($stats, $metadata, link events `$>`, projections' state)
 * live in `$` streams or carry `$` types; they are not domain events.
 */
export function isSystemRecord(e: { type: string; streamId: string }): boolean {
  return e.type.startsWith('$') || e.streamId.startsWith('$')
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

export class PositionUnavailable extends Error {
  override readonly name = 'PositionUnavailable'
  constructor(readonly eventId: string) {
    super(`EventStoreDB returned event ${eventId} without its log position: the server must be 22.6 or later`)
  }
}

/**
 * A recorded event → the port's StoredEvent. Events this adapter wrote are
 * always JSON; a binary event written by someone else keeps its bytes as a
 * base64 string so that the event stays JSON-serialisable (auditor feed).
 */
export function fromRecorded(e: RecordedEvent): StoredEvent {
  if (!e.position) throw new PositionUnavailable(e.id)
  const data: unknown = e.isJson ? e.data : Buffer.from(e.data as Uint8Array).toString('base64')
  const metadata: EventMetadata = isPlainObject(e.metadata) ? (e.metadata as EventMetadata) : {}
  return {
    id: e.id,
    type: e.type,
    data,
    metadata,
    stream: e.streamId,
    revision: e.revision,
    position: encodePosition(e.position),
    recorded_at: e.created,
  }
}
