import { chronologically } from './values'
import { type LegacyAuditRecorded, legacyAuditStream } from '../audit/events'
import { redact } from '../audit/sanitize'
import type { PlanContext, PlannedEvent } from './plan-types'
import type { LegacyAuditEntry } from './snapshot'
import type { UserMap } from './users'

/** Appends of at most this many entries: a long log is written in pieces, each idempotent. */
const CHUNK = 500

/**
 * The portal's audit log, in its own order, on one log stream of this
 * source: auditors see it beside what the import made of the same history,
 * and the hash chain covers it like every other event.
 */
export function planAudit(ctx: PlanContext, entries: LegacyAuditEntry[], users: UserMap): void {
  const ordered = [...entries].sort(chronologically((a) => a.created_at))
  const events: PlannedEvent[] = []
  for (const a of ordered) {
    if (!a.created_at || !a.action) {
      ctx.report.skip('audit_logs', a.id, 'invalid', 'it has no readable time or action')
      continue
    }
    const user = a.user_id ? users.imported.get(a.user_id) : undefined
    const e: LegacyAuditRecorded = {
      type: 'LegacyAuditRecorded',
      data: {
        legacy_action: a.action,
        user_id: user?.id ?? null,
        legacy_user_id: a.user_id,
        resource_type: a.resource_type,
        resource_id: a.resource_id,
        details: redact(a.meta ?? null),
        occurred_at: a.created_at,
      },
    }
    events.push(
      ctx.event('audit_logs', a.id, 'recorded', a.created_at, e, {
        actor_id: user?.id ?? null,
        ip: a.ip,
        user_agent: a.user_agent,
      }),
    )
    ctx.report.imported('audit_logs')
  }
  for (let i = 0; i < events.length; i += CHUNK) {
    const chunk = events.slice(i, i + CHUNK)
    ctx.append({
      phase: 'audit',
      stream: legacyAuditStream(ctx.opts.source),
      expected: i === 0 ? 'no_stream' : BigInt(i - 1),
      table: 'audit_logs',
      legacy_id: chunk[0]!.metadata.legacy.id,
      events: chunk,
    })
    for (const e of chunk) ctx.expect('audit_logs', 'audit_log', e.id)
  }
}
