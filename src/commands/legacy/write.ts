import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { DomainError } from '../../domain/decider'
import { PHASES, type PlannedAppend } from '../../domain/legacy/plan-types'
import type { ImportPlan } from '../../domain/legacy/plan'
import { allowedFileType, storedFileType } from '../../domain/resources/file-types'
import { validFileName } from '../../domain/resources/file-name'
import { BlobTooLarge, type BlobStore } from '../../store/blob-store'
import { DuplicateEventId, type EventStore, WrongExpectedVersion } from '../../store/event-store'

export interface LegacyImportDeps {
  store: EventStore
  blobs: BlobStore
  /** RESOURCE_MAX_BYTES: a study material is held to the limit of an upload */
  maxBytes: number
}

/** A legacy row that something here already stands in the way of (an account of the same email, another person). */
export interface Conflict {
  table: string
  legacy_id: string
  stream: string
  reason: 'exists' | 'file_refused'
  detail: string
}

export interface WriteOutcome {
  /** events this run stored (a second run of the same source stores none) */
  appended: number
  /** appends whose events were stored by an earlier run */
  already: number
  conflicts: Conflict[]
}

/** How many appends are in flight at once: enough to fill the store's group commit, few enough to keep order by phase. */
const CONCURRENCY = 64

async function inParallel<T>(items: T[], n: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await each(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker))
}

/**
 * Accounts and club events a stream already holds that this source did not
 * write: importing over them would mix two people's histories, so the import
 * stops before its first write (docs/migration.md). A stream that begins with
 * the plan's own first event is this source's, from an earlier run.
 */
export async function findConflicts(store: EventStore, plan: ImportPlan): Promise<Conflict[]> {
  const checked = plan.appends.filter(
    (a) => (a.phase === 'users' || a.phase === 'club_events') && a.expected === 'no_stream',
  )
  const conflicts: Conflict[] = []
  await inParallel(checked, CONCURRENCY, async (a) => {
    const first = (await store.readStream(a.stream))[0]
    if (first && first.id !== a.events[0]!.id)
      conflicts.push({
        table: a.table,
        legacy_id: a.legacy_id,
        stream: a.stream,
        reason: 'exists',
        detail:
          a.phase === 'users'
            ? `an account for ${String(a.events[0]!.data.email)} exists here and was not imported from this source`
            : 'a club event with this id exists here and was not imported from this source',
      })
  })
  return conflicts
}

/** A study material's bytes, stored as a resource's blob; the event gets the facts measured while storing. */
async function withFile(deps: LegacyImportDeps, uploadsDir: string, a: PlannedAppend): Promise<PlannedAppend> {
  const data = a.events[0]!.data
  const id = String(data.resource_id)
  const fileName = validFileName(String(data.file_name))
  const { content_type } = allowedFileType(fileName, storedFileType(fileName).content_type)
  const written = await deps.blobs.write(id, createReadStream(join(uploadsDir, a.file!.path)), {
    maxBytes: deps.maxBytes,
  })
  return { ...a, events: [{ ...a.events[0]!, data: { ...data, file_name: fileName, content_type, ...written } }] }
}

/** One planned append (with its file's bytes first, for a study material); a refusal is counted as a conflict. */
async function appendOne(
  deps: LegacyImportDeps,
  planned: PlannedAppend,
  uploadsDir: string | null,
  outcome: WriteOutcome,
): Promise<void> {
  let a = planned
  try {
    if (a.file) a = await withFile(deps, uploadsDir ?? '.', a)
    await deps.store.append(a.stream, a.events, { expectedRevision: a.expected })
    outcome.appended += a.events.length
    if (a.file) await deps.blobs.settle(String(a.events[0]!.data.resource_id))
  } catch (err) {
    if (a.file && a !== planned) await deps.blobs.erase(String(a.events[0]!.data.resource_id)).catch(() => undefined)
    const refusal = conflictOf(err)
    if (!refusal) throw err
    outcome.conflicts.push({ table: a.table, legacy_id: a.legacy_id, stream: a.stream, ...refusal })
  }
}

/** An append the store refused as another history's, or a file that cannot be a resource; undefined for a failure to throw. */
function conflictOf(err: unknown): Pick<Conflict, 'reason' | 'detail'> | undefined {
  if (err instanceof WrongExpectedVersion || err instanceof DuplicateEventId)
    return { reason: 'exists', detail: err.message }
  if (err instanceof DomainError || err instanceof BlobTooLarge) return { reason: 'file_refused', detail: err.message }
  if ((err as { code?: string }).code === 'ENOENT')
    return { reason: 'file_refused', detail: 'the file is gone from the uploads directory' }
  return undefined
}

/**
 * Makes the plan's appends, phase by phase. Every event id comes from the
 * source and its legacy ids, so running the import again, after it finished
 * or after it was cut off, finds what an earlier run stored by reading each
 * stream once and sends only what is missing. (Not by comparing positions
 * with the head: the head is the feed's, which stays behind any transaction
 * open in the cluster, so it can be older than what the last run wrote.) An
 * append raced by another import is still safe: the store stores the same ids
 * once.
 */
export async function writePlan(
  deps: LegacyImportDeps,
  plan: ImportPlan,
  uploadsDir: string | null,
  progress: (phase: string, done: number, total: number) => void = () => undefined,
): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { appended: 0, already: 0, conflicts: [] }
  for (const phase of PHASES) {
    // appends to one stream (a long audit log's pieces) go one after another, each on the revision the last left
    const appends = plan.appends.filter((a) => a.phase === phase)
    const byStream = new Map<string, PlannedAppend[]>()
    for (const a of appends) byStream.set(a.stream, [...(byStream.get(a.stream) ?? []), a])
    const total = appends.length
    let done = 0
    await inParallel([...byStream.values()], CONCURRENCY, async (appends) => {
      const stored = new Set((await deps.store.readStream(appends[0]!.stream)).map((e) => e.id))
      for (const a of appends) {
        // stored by an earlier run (a study material's bytes with it, settled): nothing to send
        if (a.events.every((e) => stored.has(e.id))) outcome.already++
        else await appendOne(deps, a, uploadsDir, outcome)
        if (++done % 1000 === 0 || done === total) progress(phase, done, total)
      }
    })
  }
  return outcome
}
