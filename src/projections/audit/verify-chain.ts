import type { Kysely } from 'kysely'
import type { Database } from '../../db/database'
import { type EventStore, START } from '../../store/event-store'
import { chainLink, GENESIS } from '../../domain/audit/chain'

export interface VerifyResult {
  /** every event chained so far matches its link, and no chained event is gone */
  ok: boolean
  /** events whose links were recomputed and matched (before the break, if any) */
  checked: number
  /** where the store stops matching the chain: the changed, missing or extra event */
  first_broken_position?: string
  /** modified: the event's content changed; missing: a chained event is gone; unexpected: an event the chain never saw; chain_gap: a link was removed */
  reason?: 'modified' | 'missing' | 'unexpected' | 'chain_gap'
  /** events after the last link (the chain writer has not reached them yet) */
  unchained: number
  /** the last link checked: keep a copy elsewhere to detect a tail cut off both tables */
  head_link: string | null
}

const PAGE = 1000

/**
 * Walks the store's feed from the start, recomputing every link, and compares
 * with event_chain row by row (by seq, so a missing or extra event shows as a
 * shift). Each chain query is one statement (one snapshot), and the chain is
 * read before the store is re-read, so a chain writer running meanwhile can
 * make events "unchained", never "broken".
 */
export async function verifyChain(db: Kysely<Database>, store: EventStore, key: Buffer): Promise<VerifyResult> {
  let after = START
  let seq = 0n
  let link = GENESIS
  let chainEnded = false
  let unchained = 0
  const broken = (position: string, reason: NonNullable<VerifyResult['reason']>): VerifyResult => ({
    ok: false,
    checked: Number(seq),
    first_broken_position: position,
    reason,
    unchained,
    head_link: link || null,
  })
  for (;;) {
    const events = await store.readAll({ after, limit: PAGE })
    if (events.length === 0) {
      if (chainEnded) break
      // the chain goes on past the store's end: events were cut off the tail
      const beyond = await db
        .selectFrom('event_chain')
        .select('position')
        .where('seq', '>=', seq.toString())
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst()
      if (!beyond) break
      if ((await store.readAll({ after, limit: 1 })).length > 0) continue // appended since our read
      return broken(beyond.position, 'missing')
    }
    const rows = chainEnded
      ? []
      : await db
          .selectFrom('event_chain')
          .select(['position', 'seq', 'link'])
          .where('seq', '>=', seq.toString())
          .orderBy('seq')
          .limit(events.length)
          .execute()
    for (const [i, event] of events.entries()) {
      const row = rows[i]
      if (chainEnded || !row) {
        chainEnded = true
        unchained++
        continue
      }
      if (BigInt(row.seq) !== seq) return broken(event.position, 'chain_gap')
      if (row.position !== event.position) {
        const chained = await db
          .selectFrom('event_chain')
          .select('seq')
          .where('position', '=', event.position)
          .executeTakeFirst()
        return chained ? broken(row.position, 'missing') : broken(event.position, 'unexpected')
      }
      const next = chainLink(key, link, event)
      if (next !== row.link) return broken(event.position, 'modified')
      link = next
      seq++
    }
    after = events[events.length - 1]!.position
  }
  return { ok: true, checked: Number(seq), unchained, head_link: link || null }
}
