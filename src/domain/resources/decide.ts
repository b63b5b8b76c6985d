import { type ActorMetadata, type Command, type Decider, assertNever } from '../decider'
import type { ResourceDeleted, ResourceEvent, ResourceFile, ResourceUploaded } from './events'
import { validFileName } from './file-name'
import { allowedFileType } from './file-types'
import { resourceRefusals } from './refusals'
import { type ResourceState, evolveResource, initialResourceState } from './state'
import { validDescription, validSha256, validTitle } from './validate'

export type UploadResource = Command<
  'UploadResource',
  {
    resource_id: string
    title: string
    description?: string | null
    /** the stored bytes' facts, as the command measured them while storing */
    file: ResourceFile
    club_event_id: string | null
    /** whether the club event's own stream shows it live (read by the command, never a read model) */
    club_event_exists: boolean
    /** RESOURCE_MAX_BYTES */
    max_bytes: number
  },
  ActorMetadata
>
export type DeleteResource = Command<'DeleteResource', { resource_id: string }, ActorMetadata>
export type ResourceCommand = UploadResource | DeleteResource

/**
 * The file is checked again here, although the command checked name, type and
 * size before and while storing the bytes: the decider alone guarantees that
 * no event describes a file the rules refuse.
 */
function validFile(file: ResourceFile, maxBytes: number): ResourceFile {
  const file_name = validFileName(file.file_name)
  const { content_type } = allowedFileType(file_name, file.content_type)
  if (!Number.isSafeInteger(file.size) || file.size < 0) throw resourceRefusals.validation('file', 'size is invalid')
  if (file.size === 0) throw resourceRefusals.empty()
  if (file.size > maxBytes) throw resourceRefusals.tooLarge(maxBytes)
  return { file_name, content_type, size: file.size, sha256: validSha256(file.sha256) }
}

function upload({ data, metadata }: UploadResource, state: ResourceState): ResourceUploaded[] {
  if (state.status !== 'none') throw resourceRefusals.alreadyExists(data.resource_id)
  const title = validTitle(data.title)
  const description = validDescription(data.description)
  const file = validFile(data.file, data.max_bytes)
  if (data.club_event_id !== null && !data.club_event_exists)
    throw resourceRefusals.clubEventNotFound(data.club_event_id)
  return [
    {
      type: 'ResourceUploaded',
      data: {
        resource_id: data.resource_id,
        title,
        description,
        ...file,
        club_event_id: data.club_event_id,
        uploaded_by: metadata.actor_id,
        uploaded_at: metadata.now.toISOString(),
      },
    },
  ]
}

/** A second delete is refused as not_found: the resource is gone, and exactly one ResourceDeleted says when. */
function remove({ data, metadata }: DeleteResource, state: ResourceState): ResourceDeleted[] {
  if (state.status !== 'active') throw resourceRefusals.notFound(data.resource_id)
  return [
    {
      type: 'ResourceDeleted',
      data: { resource_id: data.resource_id, deleted_by: metadata.actor_id, deleted_at: metadata.now.toISOString() },
    },
  ]
}

function decide(command: ResourceCommand, state: ResourceState): ResourceEvent[] {
  switch (command.type) {
    case 'UploadResource':
      return upload(command, state)
    case 'DeleteResource':
      return remove(command, state)
    default:
      return assertNever(command)
  }
}

export const resourceDecider: Decider<ResourceState, ResourceCommand, ResourceEvent> = {
  initialState: initialResourceState,
  evolve: evolveResource,
  decide,
}
