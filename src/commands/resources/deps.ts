import { hkdfSync } from 'node:crypto'
import type { Config } from '../../config'
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

/** The resource commands' dependencies as the configuration sets them (the runtime's composition). */
export function resourceDeps(config: Readonly<Config>, base: CommandDeps, blobs: BlobStore): ResourceDeps {
  return {
    ...base,
    blobs,
    maxBytes: config.resources.maxBytes,
    links: {
      // a key of its own for download links (HKDF, its own label), never the JWT key itself
      key: Buffer.from(hkdfSync('sha256', config.jwtSecret, '', 'dscp resource download links v1', 32)),
      ttlSeconds: config.resources.linkTtlSeconds,
    },
  }
}
