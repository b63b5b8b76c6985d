import type { DomainEvent } from '../decider'
import type { ClubEventLifecycle } from './lifecycle'

/** A circle around the venue; attendance marks must fall inside it. */
export interface Geofence {
  lat: number
  lng: number
  radius_m: number
}

/** The fields an admin may edit; every time is an ISO-8601 UTC string. */
export interface ClubEventFields {
  title: string
  starts_at: string
  ends_at: string
  location: string | null
  notes: string | null
  /** what the event is about, shown to members (notes are the practical details) */
  description: string | null
  geofence: Geofence | null
}

export type ClubEventCreated = DomainEvent<
  'ClubEventCreated',
  Omit<ClubEventFields, 'description'> & {
    /** absent in events stored before descriptions existed: none */
    description?: string | null
    club_event_id: string
    created_by: string
    created_at: string
  }
>

export type ClubEventUpdated = DomainEvent<
  'ClubEventUpdated',
  { club_event_id: string; changes: Partial<ClubEventFields>; updated_by: string; updated_at: string }
>

/** A soft delete: the stream and its history stay for the audit trail. */
export type ClubEventDeleted = DomainEvent<
  'ClubEventDeleted',
  { club_event_id: string; deleted_by: string; deleted_at: string }
>

/**
 * An admin moved the event along its lifecycle (lifecycle.ts). Its own event,
 * decided on its own command, so an edit and a status change made at once do
 * not overwrite each other: each is decided on the revision it read.
 */
export type ClubEventStatusChanged = DomainEvent<
  'ClubEventStatusChanged',
  { club_event_id: string; from: ClubEventLifecycle; to: ClubEventLifecycle; changed_by: string; changed_at: string }
>

export type ClubEventEvent = ClubEventCreated | ClubEventUpdated | ClubEventDeleted | ClubEventStatusChanged

export const clubEventStream = (id: string): string => `club_event-${id}`
