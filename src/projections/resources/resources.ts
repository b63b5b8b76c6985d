import type { ResourceDeleted, ResourceDownloaded, ResourceUploaded } from '../../domain/resources/events'
import { type Keyset, type Page, keysetPage } from '../keyset'
import type { Executor, Projection, RowChange } from '../projection'

/** resources: a row per upload, deleted ones kept with deleted_at, and a running download count. */
export const resourcesProjection: Projection<ResourceUploaded | ResourceDeleted | ResourceDownloaded> = {
  name: 'resources',
  tables: ['resources'],
  canHandle: ['ResourceUploaded', 'ResourceDeleted', 'ResourceDownloaded'],
  project(e): RowChange[] {
    switch (e.type) {
      case 'ResourceUploaded': {
        const d = e.data
        return [
          {
            kind: 'insert',
            table: 'resources',
            row: {
              id: d.resource_id,
              title: d.title,
              description: d.description,
              file_name: d.file_name,
              content_type: d.content_type,
              size: d.size,
              sha256: d.sha256,
              club_event_id: d.club_event_id,
              uploaded_by: d.uploaded_by,
              uploaded_at: d.uploaded_at,
              deleted_at: null,
              deleted_by: null,
            },
          },
        ]
      }
      case 'ResourceDeleted':
        return [
          {
            kind: 'update',
            table: 'resources',
            where: { id: e.data.resource_id },
            set: { deleted_at: e.data.deleted_at, deleted_by: e.data.deleted_by },
          },
        ]
      case 'ResourceDownloaded':
        return [
          {
            kind: 'update',
            table: 'resources',
            where: { id: e.data.resource_id },
            set: { downloads: { increment: 1 } },
          },
        ]
    }
  },
}

export interface ResourceView {
  id: string
  title: string
  description: string | null
  file_name: string
  content_type: string
  size: number
  sha256: string
  club_event_id: string | null
  uploaded_by: string
  /** the uploader's name as the users read model has it now (null if it has no row) */
  uploaded_by_name: string | null
  uploaded_at: string
  downloads: number
}

/** every live resource, the uploader's name beside it (users is another read model: routes declare both) */
function live(db: Executor, clubEventId: string | undefined) {
  let q = db
    .selectFrom('resources as r')
    .leftJoin('users as u', 'u.id', 'r.uploaded_by')
    .select([
      'r.id',
      'r.title',
      'r.description',
      'r.file_name',
      'r.content_type',
      'r.size',
      'r.sha256',
      'r.club_event_id',
      'r.uploaded_by',
      'u.full_name as uploaded_by_name',
      'r.uploaded_at',
      'r.downloads',
    ])
    .where('r.deleted_at', 'is', null)
  if (clubEventId !== undefined) q = q.where('r.club_event_id', '=', clubEventId)
  return q
}

type Row = Awaited<ReturnType<ReturnType<typeof live>['execute']>>[number]

const view = (r: Row): ResourceView => ({ ...r, uploaded_at: r.uploaded_at.toISOString() })

export interface ResourceListOptions {
  /** only the resources of this club event */
  clubEventId?: string
  after?: Keyset
  limit: number
}

/** Newest first, a page at a time. */
export async function pageResources(db: Executor, opts: ResourceListOptions): Promise<Page<ResourceView>> {
  const order = {
    columns: ['r.uploaded_at', 'r.id'] as [string, string],
    direction: 'desc' as const,
    keyOf: (r: Row) => ({ at: r.uploaded_at, id: r.id }),
  }
  const { rows, next } = await keysetPage(live(db, opts.clubEventId), order, opts.after, opts.limit)
  return { items: rows.map(view), next }
}

/** The club's list: newest first, at most `limit` (its frontend does not page). */
export async function allResources(db: Executor, limit: number, clubEventId?: string): Promise<ResourceView[]> {
  const rows = await live(db, clubEventId)
    .orderBy('r.uploaded_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute()
  return rows.map(view)
}
