import { chainKey } from '../../domain/audit/chain'
import { verifyChain } from '../../projections/audit/verify-chain'
import type { Runtime } from '../../runtime'

/**
 * `audit verify`: walks the whole feed and prints the answer as JSON. Exit
 * code 0 when the chain holds, 1 when it is broken, so a cron job can alert.
 */
export async function auditVerifyCommand(
  runtime: Pick<Runtime, 'db' | 'store' | 'config'>,
  print: (line: string) => void,
): Promise<number> {
  const result = await verifyChain(runtime.db.kysely, runtime.store, chainKey(runtime.config))
  print(JSON.stringify(result))
  return result.ok ? 0 : 1
}
