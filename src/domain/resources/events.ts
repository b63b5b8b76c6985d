import type { DomainEvent } from '../decider'

/** What a stored file is: the facts an auditor can check the bytes against. */
export interface ResourceFile {
  /** sanitised basename (file-name.ts): what a download is saved as */
  file_name: string
  /** the canonical type of the file's extension (file-types.ts), never the client's word for it */
  content_type: string
  /** bytes */
  size: number
  /** hex SHA-256 of the bytes */
  sha256: string
}

export type ResourceUploaded = DomainEvent<
  'ResourceUploaded',
  ResourceFile & {
    resource_id: string
    title: string
    description: string | null
    /** the club event it belongs to, or null for the whole club */
    club_event_id: string | null
    uploaded_by: string
    uploaded_at: string
  }
>

/** A soft delete: the stream and its history stay for auditors; the bytes are erased (docs/resources.md). */
export type ResourceDeleted = DomainEvent<
  'ResourceDeleted',
  { resource_id: string; deleted_by: string; deleted_at: string }
>

/** A member fetched the bytes (a fact, no decision: on a log stream of its own). */
export type ResourceDownloaded = DomainEvent<
  'ResourceDownloaded',
  { resource_id: string; downloaded_by: string; downloaded_at: string }
>

export type ResourceEvent = ResourceUploaded | ResourceDeleted

export const resourceStream = (id: string): string => `resource-${id}`
/** downloads are kept off the resource's own stream, so a busy file never slows its delete */
export const resourceDownloadsStream = (id: string): string => `resource_downloads-${id}`
