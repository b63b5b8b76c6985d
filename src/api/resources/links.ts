import { type DownloadLink, signDownload, verifyDownload } from '../../domain/resources/download-link'
import type { ResourceDeps } from '../../commands/resources/deps'
import { errors } from '../errors'

type Links = ResourceDeps['links']

/**
 * A signed link to one resource for one member, valid RESOURCE_LINK_TTL_SECONDS:
 * a path (the API's own origin, as the club's frontend reaches it through its
 * proxy or VITE_API_URL), so a plain browser link or window.open works.
 */
export function downloadLink(links: Links, resourceId: string, userId: string, now: Date) {
  const exp = Math.floor(now.getTime() / 1000) + links.ttlSeconds
  const sig = signDownload(links.key, { resource_id: resourceId, user_id: userId, exp })
  return {
    url: `/api/resources/${resourceId}/download?uid=${userId}&exp=${exp}&sig=${sig}`,
    url_expires_at: new Date(exp * 1000).toISOString(),
  }
}

/** Lets a signed link through, or refuses it: a signature that does not check out first, then an expired one. */
export function checkDownloadLink(links: Links, link: DownloadLink, sig: string, now: Date): void {
  const verdict = verifyDownload(links.key, link, sig, Math.floor(now.getTime() / 1000))
  if (verdict === 'invalid') throw errors.downloadLinkInvalid()
  if (verdict === 'expired') throw errors.downloadLinkExpired()
}
