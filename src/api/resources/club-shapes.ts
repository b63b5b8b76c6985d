import { type Static, Type } from '@sinclair/typebox'
import { storedFileType } from '../../domain/resources/file-types'
import { Nullable, Timestamp, Uuid } from '../schemas'
import { Resource } from './schemas'

/**
 * A resource as the club's frontend reads it (docs/club-frontend.md, F26):
 * ours plus its names. `size` is what its member page prints as it is
 * ("2.4 MB"; the bytes are `size_bytes`); `type` and `category` come from the
 * file's type; nothing counts views, so `views` is 0.
 */
export const ClubResource = Type.Object({
  ...Resource.properties,
  event_id: Nullable(Uuid),
  created_at: Timestamp,
  type: Type.Union([Type.Literal('document'), Type.Literal('video'), Type.Literal('link')]),
  category: Type.String(),
  size: Type.String({ description: 'for people: "2.4 MB"' }),
  size_bytes: Type.Integer(),
  views: Type.Integer(),
})

const KIB = 1024
const MIB = 1024 * 1024

/** As the club's admin page formats sizes: B, KB and MB of 1,024. */
export function humanSize(bytes: number): string {
  if (bytes < KIB) return `${bytes} B`
  if (bytes < MIB) return `${(bytes / KIB).toFixed(1)} KB`
  return `${(bytes / MIB).toFixed(1)} MB`
}

export function clubResourceShape(r: Static<typeof Resource>): Static<typeof ClubResource> {
  const kind = storedFileType(r.file_name)
  return {
    ...r,
    event_id: r.club_event_id,
    created_at: r.uploaded_at,
    type: r.content_type.startsWith('video/') ? 'video' : 'document',
    category: kind.category,
    size: humanSize(r.size),
    size_bytes: r.size,
    views: 0,
  }
}
