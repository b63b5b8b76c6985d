import type { DomainEvent } from '../decider'
import { eventId } from './ids'
import type { ReportBuilder } from './report'
import type { LegacyTable, LegacyVersion } from './snapshot'

/** Where an imported event came from: in its metadata, so the audit trail and a later import can tell. */
export interface Provenance {
  /** the source's key (docs/migration.md): the same source gives the same key on every run */
  source: string
  schema: LegacyVersion
  table: LegacyTable
  id: string
}

/** Whether an event's metadata says the legacy import wrote it: history, told to nobody again. */
export const isImported = (metadata: Record<string, unknown> | null | undefined): boolean =>
  metadata?.legacy !== undefined && metadata?.legacy !== null

export interface PlannedEvent extends DomainEvent {
  id: string
  data: Record<string, unknown>
  metadata: Record<string, unknown> & { legacy: Provenance; occurred_at: string }
}

/**
 * The order appends are made in, so the feed tells the history as the
 * read models expect it: an account before its approval request is read, a
 * club event before its marks, a deletion after them.
 */
export const PHASES = [
  'indexes',
  'users',
  'club_events',
  'qr_sessions',
  'attendance',
  'deletions',
  'resources',
  'notifications',
  'audit',
] as const
export type Phase = (typeof PHASES)[number]

export interface PlannedAppend {
  phase: Phase
  stream: string
  events: PlannedEvent[]
  /** 'no_stream' for the stream's first append, its revision for a later one; 'any' for a member's notification log */
  expected: 'no_stream' | 'any' | bigint
  table: LegacyTable
  legacy_id: string
  /** a study material's bytes: read from disk by the writer, which completes the event's file facts */
  file?: { path: string }
}

/** A read model's row that an imported legacy row must become: what `import --verify` counts. */
export interface ExpectedRow {
  table: LegacyTable
  model:
    | 'users'
    | 'approval_requests'
    | 'club_events'
    | 'qr_sessions'
    | 'attendance_records'
    | 'notifications'
    | 'resources'
    | 'audit_log'
  id: string
}

export interface PlanOptions {
  source: string
  now: Date
  approvalTimeoutMs: number
  eventDurationMinutes: number
  /** the directory of the study materials' files; none: materials are skipped */
  uploadsDir: string | null
}

/** What each translator shares: the options, the report, and what it adds to the plan. */
export class PlanContext {
  readonly appends: PlannedAppend[] = []
  readonly expected: ExpectedRow[] = []

  constructor(
    readonly opts: PlanOptions,
    readonly version: LegacyVersion,
    readonly report: ReportBuilder,
  ) {}

  event(
    table: LegacyTable,
    legacyId: string,
    step: string,
    occurredAt: string,
    e: { type: string; data: object },
    who: { actor_id?: string | null; ip?: string | null; user_agent?: string | null } = {},
  ): PlannedEvent {
    return {
      id: eventId(this.opts.source, table, legacyId, step),
      type: e.type,
      data: e.data as Record<string, unknown>,
      metadata: {
        actor_id: who.actor_id ?? null,
        actor_role: null,
        ip: who.ip ?? null,
        user_agent: who.user_agent ?? null,
        request_id: null,
        correlation_id: null,
        causation_id: null,
        occurred_at: occurredAt,
        legacy: { source: this.opts.source, schema: this.version, table, id: legacyId },
      },
    }
  }

  append(a: PlannedAppend): void {
    this.appends.push(a)
  }

  expect(table: LegacyTable, model: ExpectedRow['model'], id: string): void {
    this.expected.push({ table, model, id })
  }
}
