import type { Static } from '@sinclair/typebox'
import type { ResourceDeps } from '../../commands/resources/deps'
import type { ResourceRecord } from '../../domain/resources/state'
import type { ResourceView } from '../../projections/resources/resources'
import { downloadLink } from './links'
import type { Resource } from './schemas'

/** A resource as the caller gets it: with a link signed for them. */
export function resourceItem(
  links: ResourceDeps['links'],
  view: ResourceView,
  userId: string,
  now: Date,
): Static<typeof Resource> {
  return { ...view, ...downloadLink(links, view.id, userId, now) }
}

/** The resource an upload just recorded, as the list will show it (its uploader is the caller). */
export function uploadedView(r: ResourceRecord, uploaderName: string): ResourceView {
  return {
    id: r.resource_id,
    title: r.title,
    description: r.description,
    file_name: r.file_name,
    content_type: r.content_type,
    size: r.size,
    sha256: r.sha256,
    club_event_id: r.club_event_id,
    uploaded_by: r.uploaded_by,
    uploaded_by_name: uploaderName,
    uploaded_at: r.uploaded_at,
    downloads: 0,
  }
}
