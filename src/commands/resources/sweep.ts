import { resourceStream } from '../../domain/resources/events'
import type { ResourceDeps } from './deps'

/**
 * Uploads are bounded by REQUEST_TIMEOUT_MS (at most an hour): one begun long
 * before that and never settled was cut off by a crash, or its settling
 * failed. Its resource's stream says which.
 */
const ABANDONED_AFTER_SECONDS = 6 * 3600
/** a few at a time, so no single upload pays for a long outage's leftovers */
const SWEEP_BATCH = 10

/**
 * Erases the bytes of uploads that never became a resource, and settles
 * those that did. Run before each upload: one indexed query on a table that
 * is empty but for uploads in flight.
 */
export async function sweepAbandonedUploads(deps: ResourceDeps): Promise<number> {
  const ids = await deps.blobs.unsettled(ABANDONED_AFTER_SECONDS, SWEEP_BATCH)
  for (const id of ids) {
    const recorded = (await deps.store.readStream(resourceStream(id))).length > 0
    await (recorded ? deps.blobs.settle(id) : deps.blobs.erase(id))
  }
  return ids.length
}
