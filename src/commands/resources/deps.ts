import type { BlobStore } from '../../store/blob-store'
import type { CommandDeps } from '../context'

export interface ResourceDeps extends CommandDeps {
  /** where the bytes go (docs/resources.md) */
  blobs: BlobStore
  /** RESOURCE_MAX_BYTES */
  maxBytes: number
  /** the download links' key (HKDF of JWT_SECRET, a label of its own) and lifetime (RESOURCE_LINK_TTL_SECONDS) */
  links: { key: Buffer; ttlSeconds: number }
}
