import type { Readable } from 'node:stream'

/**
 * Files too big to hold in memory, stored chunk by chunk (docs/resources.md).
 * A blob is named by the id of what it belongs to (a resource's id) and
 * written once; the facts an event keeps about it (size, SHA-256) are what
 * `write` measured while storing it.
 */
export interface WrittenBlob {
  size: number
  /** hex SHA-256 of the bytes */
  sha256: string
}

export interface BlobStore {
  /**
   * Stores `source` as blob `id` as it arrives, never whole in memory. Passing
   * `maxBytes` stops reading at once (BlobTooLarge); any failure erases what
   * was written before it is thrown. The blob counts as an upload in progress
   * until `settle`.
   */
  write(id: string, source: AsyncIterable<Uint8Array>, opts: { maxBytes: number }): Promise<WrittenBlob>
  /** What `write` stored is recorded (its event is in the store): no sweep looks at it again. */
  settle(id: string): Promise<void>
  /**
   * The bytes, read chunk by chunk as the stream is consumed. The first chunk
   * is read before this resolves, so a blob that is gone is BlobMissing here,
   * not a cut-off stream; one that proves shorter or other than `expected`
   * ends the stream with BlobDamaged.
   */
  open(id: string, expected: WrittenBlob): Promise<Readable>
  /** Removes the bytes, and the blob's upload mark; nothing to remove is fine. */
  erase(id: string): Promise<void>
  /** Uploads begun more than `seconds` ago (by the database's clock) and never settled: the sweep's candidates. */
  unsettled(seconds: number, limit: number): Promise<string[]>
}

export class BlobTooLarge extends Error {
  override readonly name = 'BlobTooLarge'
  constructor(readonly maxBytes: number) {
    super(`the blob is larger than ${maxBytes} bytes`)
  }
}

export class BlobMissing extends Error {
  override readonly name = 'BlobMissing'
  constructor(readonly id: string) {
    super(`blob ${id} has no bytes stored`)
  }
}

export class BlobDamaged extends Error {
  override readonly name = 'BlobDamaged'
  constructor(readonly id: string) {
    super(`blob ${id} does not match the size and SHA-256 recorded for it`)
  }
}
