import { type Kysely, sql } from 'kysely'
import type { Database } from '../db/database'
import { START } from '../store/event-store'

/**
 * A read model being built from position 0 (a new deployment over a history,
 * an import, a reset) holds only the history up to its checkpoint: a reader
 * would see a partial table. Its checkpoint row says so (`building_since`)
 * until its runner has caught up, and the routes that read it answer 503
 * meanwhile (api/plugins/consistency.ts).
 *
 * The mark is committed before the build writes its first row or the reset
 * empties the tables, and they wait buildNoticeMs() first: every serving
 * process reads the marks every BUILD_WATCH_MS, so each has seen it before
 * its readers could see a partial table. A campus's build takes minutes; the
 * wait is two seconds of it.
 */

/** how often a serving process reads the marks */
export const BUILD_WATCH_MS = 1000
/** how long a build or a reset waits after its mark, before it writes: two of a watch's reads */
export const buildNoticeMs = (watchMs = BUILD_WATCH_MS) => 2 * watchMs

/**
 * Marks `consumer` as being built, in a transaction of its own (its checkpoint
 * row made at position 0 if there is none), and waits until every serving
 * process knows.
 */
export async function markBuilding(db: Kysely<Database>, consumer: string, noticeMs: number): Promise<void> {
  await sql`INSERT INTO projection_checkpoints (name, position, building_since) VALUES (${consumer}, ${START}, now())
            ON CONFLICT (name) DO UPDATE SET building_since = coalesce(projection_checkpoints.building_since, now())`.execute(
    db,
  )
  await new Promise((r) => setTimeout(r, noticeMs))
}

/** the build has caught up: its tables hold the whole history again */
export async function markBuilt(db: Kysely<Database>, consumer: string): Promise<void> {
  await db.updateTable('projection_checkpoints').set({ building_since: null }).where('name', '=', consumer).execute()
}

/** The read models being built from position 0 now, as their checkpoint rows say. */
export async function buildingNow(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('projection_checkpoints')
    .select('name')
    .where('building_since', 'is not', null)
    .execute()
  return rows.map((r) => r.name)
}

/**
 * What a serving process knows of the builds under way: the checkpoint rows
 * read at start and again every `intervalMs`, within which a new mark is
 * seen (a build waits two of these after marking itself). A failed read
 * keeps what was known.
 */
const NONE: readonly string[] = []

export class BuildWatch {
  private names = new Set<string>()
  private timer: NodeJS.Timeout | undefined

  private constructor(private readonly read: () => Promise<string[]>) {}

  static async start(read: () => Promise<string[]>, intervalMs: number): Promise<BuildWatch> {
    const watch = new BuildWatch(read)
    await watch.refresh()
    watch.timer = setInterval(() => void watch.refresh().catch(() => undefined), intervalMs)
    watch.timer.unref()
    return watch
  }

  async refresh(): Promise<void> {
    this.names = new Set(await this.read())
  }

  /** those of `reads` being built now (outside a build: one size check, no allocation) */
  among(reads: readonly string[]): readonly string[] {
    if (this.names.size === 0) return NONE
    return reads.filter((r) => this.names.has(r))
  }

  stop(): void {
    clearInterval(this.timer)
  }
}
