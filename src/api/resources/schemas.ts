import { Type } from '@sinclair/typebox'
import { Cursor, Nullable, Timestamp, Uuid } from '../schemas'

/** A resource in our shape: the file's facts, and a signed link valid for a few minutes. */
export const Resource = Type.Object({
  id: Uuid,
  title: Type.String(),
  description: Nullable(Type.String()),
  file_name: Type.String(),
  content_type: Type.String(),
  size: Type.Integer({ description: 'bytes' }),
  sha256: Type.String({ description: 'hex SHA-256 of the bytes' }),
  club_event_id: Nullable(Uuid),
  uploaded_by: Uuid,
  uploaded_by_name: Nullable(Type.String()),
  uploaded_at: Timestamp,
  downloads: Type.Integer(),
  url: Type.String({ description: 'GET it to download, no Authorization needed: signed for the caller' }),
  url_expires_at: Timestamp,
})

export const ListResourcesQuery = Type.Object({
  cursor: Type.Optional(Cursor),
  // no default: a list asked for without cursor or limit is the club's whole list
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  club_event_id: Type.Optional(Uuid),
  /** the club frontend's name for club_event_id */
  event_id: Type.Optional(Uuid),
})

/** what a signed link carries (links.ts); all three or it is no link */
export const DownloadQuery = Type.Object({
  uid: Uuid,
  exp: Type.Integer({ minimum: 0, maximum: 253_402_300_799 }),
  sig: Type.String({ maxLength: 64 }),
})
