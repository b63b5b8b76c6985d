import { chronologically } from './values'
import { createHash } from 'node:crypto'
import type { LegacySnapshot } from './snapshot'

/**
 * The key an import's event ids derive from, so the same source gives the
 * same ids on every run, wherever the file lies or whatever the database is
 * called: a digest of its first account (the admin the portal created first,
 * which no later use of the portal changes). `--source-name` overrides it.
 */
export function sourceKey(snapshot: LegacySnapshot): string {
  const first = [...snapshot.users].sort(chronologically((u) => u.created_at))[0]
  const basis = first ? [snapshot.version, first.id, first.email.toLowerCase(), first.created_at ?? ''] : ['empty']
  return createHash('sha256').update(basis.join('\u0000')).digest('hex').slice(0, 16)
}
