import type { AccessDenied } from '../../domain/audit/events'
import { securityStream } from '../../domain/audit/events'
import type { CommandContext, CommandDeps } from '../context'
import { record } from '../handle'

/** Records a request its route's access rule refused, for the audit log. */
export async function recordAccessDenied(
  deps: CommandDeps,
  denied: Omit<AccessDenied['data'], 'denied_at'>,
  ctx: CommandContext,
): Promise<void> {
  const now = deps.sources.now()
  await record(
    deps,
    securityStream(now),
    { type: 'AccessDenied', data: { ...denied, denied_at: now.toISOString() } },
    ctx,
  )
}
