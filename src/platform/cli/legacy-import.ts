import type { Config } from '../../config'
import { planImport, type ImportPlan } from '../../domain/legacy/plan'
import type { ImportReport } from '../../domain/legacy/report'
import { sourceKey } from '../../domain/legacy/source-key'
import { type Conflict, findConflicts, writePlan } from '../../commands/legacy/write'
import { IMPORTED_READ_MODELS, type VerifiedCount, verifyImport } from '../../projections/legacy/verify'
import { type Runtime, createRuntime } from '../../runtime'
import { loadCheckpoints } from '../../projections/runner'
import { listenForCheckpoints } from '../../projections/checkpoint-announcements'
import { describeSource, readLegacySource, uploadedFiles } from '../legacy/source'

export const IMPORT_USAGE = `  npm run cli -- import --from <sqlite:path | postgres://…> [--uploads <dir>] [--dry-run | --verify] [--source-name <key>] [--json]`

const arg = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

/** How long `import` waits for the read models to take in what it wrote before it counts them. */
const CATCH_UP_MS = 15 * 60_000

interface Outcome {
  source: string
  source_key: string
  schema: string
  mode: 'dry-run' | 'import' | 'verify'
  report: ImportReport
  conflicts: Conflict[]
  appends: number
  events: number
  written?: { appended: number; already: number; seconds: number; rows_per_second: number }
  verified?: VerifiedCount[]
  caught_up?: boolean
}

const pad = (s: string | number, n: number) => String(s).padEnd(n)

/** The report as a person reads it: a table per legacy table, then every problem, then the counts. */
function humanReport(o: Outcome): string {
  const lines = [`${o.mode} of ${o.source} (schema ${o.schema}, source key ${o.source_key})`, '']
  lines.push(`${pad('legacy table', 20)}${pad('rows', 9)}${pad('imported', 10)}skipped`)
  for (const [table, t] of Object.entries(o.report.tables)) {
    const skipped = Object.entries(t.skipped)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ')
    lines.push(`${pad(table, 20)}${pad(t.rows, 9)}${pad(t.imported, 10)}${skipped || '-'}`)
  }
  lines.push('', `${o.appends} appends, ${o.events} events planned`)
  if (o.written)
    lines.push(
      `written: ${o.written.appended} new events, ${o.written.already} appends already stored, ${o.written.seconds.toFixed(1)} s, ${Math.round(o.written.rows_per_second)} rows/s`,
    )
  if (o.report.problems.length) {
    lines.push('', 'problems:')
    for (const p of o.report.problems)
      lines.push(`  ${p.skipped ? 'skipped' : 'note   '} ${p.table} ${p.legacy_id}: ${p.reason}: ${p.detail}`)
  }
  if (o.conflicts.length) {
    lines.push('', 'conflicts (nothing was written for these):')
    for (const c of o.conflicts) lines.push(`  ${c.table} ${c.legacy_id}: ${c.detail}`)
  }
  if (o.verified) {
    lines.push('', `${pad('verify: legacy table', 22)}${pad('read model', 20)}${pad('expected', 10)}${pad('found', 8)}`)
    for (const v of o.verified)
      lines.push(
        `${pad(v.table, 22)}${pad(v.model, 20)}${pad(v.expected, 10)}${pad(v.found, 8)}${v.found === v.expected ? 'ok' : 'MISMATCH'}`,
      )
    if (o.caught_up === false) lines.push('the read models had not caught up when counted')
  }
  return lines.join('\n')
}

/**
 * Whether every read model the import fills has passed the store's head, as
 * the leading runners announce it (in this process or in a running service:
 * one with nothing to do announces every second; its stored checkpoint may
 * stay behind until the next event, which is safe and why it is not read).
 */
export async function caughtUp(runtime: Runtime, timeoutMs: number): Promise<boolean> {
  const head = await runtime.store.head()
  const unlisten = await listenForCheckpoints(runtime.db.notifier, runtime.board, () =>
    loadCheckpoints(runtime.db.kysely),
  )
  try {
    return await runtime.board.waitFor(IMPORTED_READ_MODELS, head, timeoutMs)
  } finally {
    await unlisten()
  }
}

const pause = (ms: number) => new Promise<true>((r) => setTimeout(() => r(true), ms))

const rowsOf = (plan: ImportPlan) => Object.values(plan.report.tables).reduce((n, t) => n + t.imported, 0)

/**
 * `import`: reads the original portal's database, plans its history as our
 * events, and (unless --dry-run) appends them, waits for the read models and
 * compares their counts with the plan. Exit codes: 0 done and counts match,
 * 1 a count differs or an append was refused, 3 conflicts stopped it before
 * any write.
 */
export async function importCommand(
  args: string[],
  config: Readonly<Config>,
  print: (line: string) => void = (l) => console.log(l),
  progress: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  const from = arg(args, '--from')
  if (!from) {
    console.error(`usage:\n${IMPORT_USAGE}`)
    return 2
  }
  const dryRun = args.includes('--dry-run')
  const verifyOnly = args.includes('--verify')
  const uploads = arg(args, '--uploads') ?? null
  const snapshot = await readLegacySource(from)
  const source = arg(args, '--source-name') ?? sourceKey(snapshot)
  const plan = planImport(
    snapshot,
    {
      source,
      now: new Date(),
      approvalTimeoutMs: config.approvalTimeoutMinutes * 60_000,
      eventDurationMinutes: config.club.eventDefaultDurationMinutes,
      uploadsDir: uploads,
    },
    await uploadedFiles(uploads),
  )
  const outcome: Outcome = {
    source: describeSource(from),
    source_key: source,
    schema: snapshot.version,
    mode: dryRun ? 'dry-run' : verifyOnly ? 'verify' : 'import',
    report: plan.report,
    conflicts: [],
    appends: plan.appends.length,
    events: plan.appends.reduce((n, a) => n + a.events.length, 0),
  }
  // the projector role: the read models are built in this process too (or by a running service's leaders)
  const runtime = await createRuntime(config, dryRun ? 'api' : 'projector')
  let code = 0
  try {
    if (!verifyOnly) outcome.conflicts = await findConflicts(runtime.store, plan)
    if (!dryRun && !verifyOnly && outcome.conflicts.length === 0) {
      const started = performance.now()
      const written = await writePlan(
        { store: runtime.store, blobs: runtime.resources.blobs, maxBytes: runtime.resources.maxBytes },
        plan,
        uploads,
        (phase, done, total) => progress(`${phase}: ${done}/${total}`),
      )
      const seconds = (performance.now() - started) / 1000
      outcome.conflicts = written.conflicts
      outcome.written = {
        appended: written.appended,
        already: written.already,
        seconds,
        rows_per_second: rowsOf(plan) / seconds,
      }
    }
    if (!dryRun && outcome.conflicts.length === 0) {
      progress('waiting for the read models…')
      outcome.caught_up = await caughtUp(runtime, CATCH_UP_MS)
      // an announcement may run a moment ahead of what a reader sees: count again, briefly, before calling a mismatch
      const settle = Date.now() + 30_000
      do outcome.verified = await verifyImport(runtime.db.kysely, plan.expected)
      while (outcome.verified.some((v) => v.found !== v.expected) && Date.now() < settle && (await pause(250)))
      if (!outcome.caught_up || outcome.verified.some((v) => v.found !== v.expected)) code = 1
    }
    if (outcome.conflicts.length) code = outcome.written ? 1 : 3
  } finally {
    await runtime.close()
  }
  print(args.includes('--json') ? JSON.stringify(outcome, null, 2) : humanReport(outcome))
  return code
}
