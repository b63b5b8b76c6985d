import { clubEventDecider } from '../../domain/club-events/decide'
import { clubEventStream } from '../../domain/club-events/events'
import { resourceDecider } from '../../domain/resources/decide'
import { type ResourceFile, resourceStream } from '../../domain/resources/events'
import { validFileName } from '../../domain/resources/file-name'
import { allowedFileType } from '../../domain/resources/file-types'
import { resourceRefusals } from '../../domain/resources/refusals'
import type { ResourceRecord } from '../../domain/resources/state'
import { BlobTooLarge } from '../../store/blob-store'
import { type ActorContext, commandMetadata } from '../context'
import { handleCommand, loadState } from '../handle'
import type { ResourceDeps } from './deps'
import { sweepAbandonedUploads } from './sweep'

/** A file part as it arrives: the name and type its sender gave, and its bytes as they come. */
export interface IncomingFile {
  name: string
  content_type: string
  bytes: AsyncIterable<Uint8Array>
}

/** Bytes stored under a new resource's id, not yet a resource: record it, or discard it. */
export interface StoredFile extends ResourceFile {
  resource_id: string
}

export interface ResourceDetails {
  title: string
  description?: string | null
  club_event_id: string | null
}

/**
 * The first half of an upload: the name and declared type are judged before
 * a byte is read (a refused type costs no storage), then the bytes are stored
 * as they arrive, hashed and counted; passing RESOURCE_MAX_BYTES stops the
 * reading at once and erases what was written.
 */
export async function storeResourceFile(deps: ResourceDeps, file: IncomingFile): Promise<StoredFile> {
  const file_name = validFileName(file.name)
  const { content_type } = allowedFileType(file_name, file.content_type)
  // housekeeping: a failure here must not refuse the upload (the next one sweeps again)
  await sweepAbandonedUploads(deps).catch(() => 0)
  const resource_id = deps.sources.uuid()
  let written
  try {
    written = await deps.blobs.write(resource_id, file.bytes, { maxBytes: deps.maxBytes })
  } catch (err) {
    throw err instanceof BlobTooLarge ? resourceRefusals.tooLarge(deps.maxBytes) : err
  }
  if (written.size === 0) {
    await deps.blobs.erase(resource_id)
    throw resourceRefusals.empty()
  }
  return { resource_id, file_name, content_type, ...written }
}

/** Erases stored bytes that will not become a resource (the rest of the form was refused). */
export async function discardResourceFile(deps: ResourceDeps, file: StoredFile): Promise<void> {
  await deps.blobs.erase(file.resource_id)
}

/**
 * The second half: the club event it names must exist as its own stream says
 * (never a read model), then ResourceUploaded is appended. Refused or failed,
 * the bytes are erased, unless the event may have been stored all the same
 * (a connection lost after the commit): then they stay for the sweep to judge.
 */
export async function recordResourceUpload(
  deps: ResourceDeps,
  file: StoredFile,
  details: ResourceDetails,
  ctx: ActorContext,
): Promise<ResourceRecord> {
  const { resource_id, ...facts } = file
  try {
    const clubEvent =
      details.club_event_id === null
        ? undefined
        : await loadState(deps.store, clubEventStream(details.club_event_id), clubEventDecider)
    const { after } = await handleCommand(
      deps,
      resourceStream(resource_id),
      resourceDecider,
      {
        type: 'UploadResource',
        data: {
          resource_id,
          title: details.title,
          description: details.description ?? null,
          file: facts,
          club_event_id: details.club_event_id,
          club_event_exists: clubEvent?.status === 'active',
          max_bytes: deps.maxBytes,
        },
        metadata: commandMetadata(ctx, deps.sources),
      },
      ctx,
    )
    if (after.status !== 'active') throw new Error('unreachable: an uploaded resource is active')
    // the event is stored: a failure here only leaves the mark for the sweep, which then finds the stream
    await deps.blobs.settle(resource_id).catch(() => undefined)
    const { status: _status, ...record } = after
    return record
  } catch (err) {
    await eraseUnlessRecorded(deps, resource_id)
    throw err
  }
}

async function eraseUnlessRecorded(deps: ResourceDeps, id: string): Promise<void> {
  try {
    if ((await deps.store.readStream(resourceStream(id))).length === 0) await deps.blobs.erase(id)
  } catch {
    // the database is away: the upload mark stays, and the sweep decides later
  }
}
