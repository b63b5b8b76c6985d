import type { Readable } from 'node:stream'
import { resourceDecider } from '../../domain/resources/decide'
import { type ResourceDownloaded, resourceDownloadsStream, resourceStream } from '../../domain/resources/events'
import { resourceRefusals } from '../../domain/resources/refusals'
import { BlobMissing } from '../../store/blob-store'
import type { ActorContext } from '../context'
import { loadState, record } from '../handle'
import type { ResourceDeps } from './deps'

export interface Download {
  file_name: string
  content_type: string
  size: number
  sha256: string
  body: Readable
}

/**
 * A live resource's bytes for `ctx.actor_id`, its download recorded (the
 * count members see). The resource is judged by its own stream: one deleted
 * a moment ago is not_found even while the list still shows it.
 */
export async function openResourceDownload(deps: ResourceDeps, id: string, ctx: ActorContext): Promise<Download> {
  const state = await loadState(deps.store, resourceStream(id), resourceDecider)
  if (state.status !== 'active') throw resourceRefusals.notFound(id)
  const { file_name, content_type, size, sha256 } = state
  let body: Readable
  try {
    body = await deps.blobs.open(id, { size, sha256 })
  } catch (err) {
    // erased by a delete that raced this download
    throw err instanceof BlobMissing ? resourceRefusals.notFound(id) : err
  }
  const downloaded: ResourceDownloaded = {
    type: 'ResourceDownloaded',
    data: { resource_id: id, downloaded_by: ctx.actor_id, downloaded_at: deps.sources.now().toISOString() },
  }
  try {
    await record(deps, resourceDownloadsStream(id), downloaded, ctx)
  } catch (err) {
    body.destroy()
    throw err
  }
  return { file_name, content_type, size, sha256, body }
}
