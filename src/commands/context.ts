import type { ActorMetadata, CommandMetadata } from '../domain/decider'
import type { EventMetadata, EventStore } from '../store/event-store'

/** Who asked, from where: lands in every event's metadata for the audit log. */
export interface CommandContext {
  actor_id: string | null
  actor_role: string | null
  ip: string | null
  user_agent: string | null
  request_id: string | null
  correlation_id?: string | null
  causation_id?: string | null
}

/** The context of a request whose caller is known (every command only a signed-in person may give). */
export type ActorContext = CommandContext & { actor_id: string }

export const SYSTEM_CONTEXT: CommandContext = {
  actor_id: null,
  actor_role: 'system',
  ip: null,
  user_agent: null,
  request_id: null,
}

/** Clock and ids come from outside so handlers stay testable. */
export interface Sources {
  now(): Date
  uuid(): string
}

export interface CommandDeps {
  store: EventStore
  sources: Sources
}

/** A command's metadata: who asks, and the one instant the decision is made at. */
export function commandMetadata(ctx: ActorContext, sources: Sources): ActorMetadata
export function commandMetadata(ctx: CommandContext, sources: Sources): CommandMetadata
export function commandMetadata(ctx: CommandContext, sources: Sources): CommandMetadata {
  return { actor_id: ctx.actor_id, now: sources.now() }
}

/** The metadata stored with every event of a command. */
export function metadataOf(ctx: CommandContext): EventMetadata {
  return {
    actor_id: ctx.actor_id,
    actor_role: ctx.actor_role,
    ip: ctx.ip,
    user_agent: ctx.user_agent,
    request_id: ctx.request_id,
    correlation_id: ctx.correlation_id ?? ctx.request_id,
    causation_id: ctx.causation_id ?? null,
  }
}
