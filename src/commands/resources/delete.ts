import { DomainError } from '../../domain/decider'
import { resourceDecider } from '../../domain/resources/decide'
import { resourceStream } from '../../domain/resources/events'
import { type ActorContext, commandMetadata } from '../context'
import { handleCommand } from '../handle'
import type { ResourceDeps } from './deps'

/**
 * Appends ResourceDeleted (a soft delete: the history and the file's facts
 * stay for auditors), then erases the bytes. Deleting again is not_found, and
 * erases again, which heals a delete cut off between its event and the erase.
 */
export async function deleteResource(deps: ResourceDeps, id: string, ctx: ActorContext): Promise<void> {
  try {
    await handleCommand(
      deps,
      resourceStream(id),
      resourceDecider,
      { type: 'DeleteResource', data: { resource_id: id }, metadata: commandMetadata(ctx, deps.sources) },
      ctx,
    )
  } catch (err) {
    // not_found: deleted before, or never uploaded (an id with no bytes: nothing to erase)
    if (err instanceof DomainError && err.code === 'not_found') await deps.blobs.erase(id)
    throw err
  }
  await deps.blobs.erase(id)
}
