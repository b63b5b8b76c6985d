import { type Env, num } from './env'

/** Study resources: what an upload may be and how long a download link lives (docs/resources.md). */
export interface ResourceSettings {
  /**
   * the largest file an admin may upload, in bytes (RESOURCE_MAX_BYTES, at most 1 GiB): above it an upload is
   * refused 413 file_too_large, by its Content-Length before any byte is read, else as the stream passes it.
   * @defaultValue 26214400 (25 MiB)
   */
  maxBytes: number
  /** how long a signed download link in a list works (RESOURCE_LINK_TTL_SECONDS). @defaultValue 300 */
  linkTtlSeconds: number
}

export function resourceSettings(env: Env): Readonly<ResourceSettings> {
  return Object.freeze({
    maxBytes: num(env, 'RESOURCE_MAX_BYTES', 25 * 1024 * 1024, { min: 1, max: 1024 * 1024 * 1024, integer: true }),
    linkTtlSeconds: num(env, 'RESOURCE_LINK_TTL_SECONDS', 300, { min: 10, max: 86_400, integer: true }),
  })
}
