import { chainLink, GENESIS } from '../../domain/audit/chain'
import { applyChanges } from '../apply'
import type { Consumer, RowChange } from '../projection'

export const EVENT_CHAIN = 'event_chain'

/**
 * Writes the tamper-evidence chain (domain/audit/chain.ts): one link per event in
 * global order. The previous link is read inside the runner's transaction, and
 * the runner's compare-and-set on the checkpoint makes this the only writer,
 * so each batch extends exactly the chain the last batch committed.
 */
export function eventChainConsumer(key: Buffer): Consumer {
  return {
    name: EVENT_CHAIN,
    tables: ['event_chain'],
    async handle(trx, events) {
      const last = await trx
        .selectFrom('event_chain')
        .select(['seq', 'link'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst()
      let seq = last ? BigInt(last.seq) + 1n : 0n
      let link = last?.link ?? GENESIS
      const changes: RowChange[] = events.map((e) => {
        link = chainLink(key, link, e)
        return { kind: 'insert', table: 'event_chain', row: { position: e.position, seq: (seq++).toString(), link } }
      })
      await applyChanges(trx, changes)
    },
  }
}
