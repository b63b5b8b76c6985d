import type { LegacyTable } from './snapshot'

/** One legacy table's fate: how many rows it had, how many became history here, and why the rest did not. */
export interface TableReport {
  rows: number
  imported: number
  skipped: Record<string, number>
}

/** A row skipped, or imported with a change worth knowing (a password that must be reset). Never a secret. */
export interface Problem {
  table: LegacyTable
  legacy_id: string
  /** machine-readable: orphan, duplicate_email, password_unverifiable… */
  reason: string
  detail: string
  skipped: boolean
}

export interface ImportReport {
  tables: Partial<Record<LegacyTable, TableReport>>
  problems: Problem[]
}

/** The report as the plan fills it in, row by row. */
export class ReportBuilder {
  readonly tables: Partial<Record<LegacyTable, TableReport>> = {}
  readonly problems: Problem[] = []

  constructor(rows: Partial<Record<LegacyTable, number>>) {
    for (const [table, n] of Object.entries(rows) as [LegacyTable, number][])
      this.tables[table] = { rows: n, imported: 0, skipped: {} }
  }

  private table(t: LegacyTable): TableReport {
    return (this.tables[t] ??= { rows: 0, imported: 0, skipped: {} })
  }

  imported(t: LegacyTable): void {
    this.table(t).imported++
  }

  skip(t: LegacyTable, legacyId: string, reason: string, detail: string): void {
    const s = this.table(t).skipped
    s[reason] = (s[reason] ?? 0) + 1
    this.problems.push({ table: t, legacy_id: legacyId, reason, detail, skipped: true })
  }

  /** A whole table left behind for one reason: one problem for all its rows. */
  skipAll(t: LegacyTable, rows: number, reason: string, detail: string): void {
    if (rows === 0) return
    const s = this.table(t).skipped
    s[reason] = (s[reason] ?? 0) + rows
    this.problems.push({ table: t, legacy_id: '*', reason, detail: `${rows} rows: ${detail}`, skipped: true })
  }

  /** Imported, with something changed on the way. */
  note(t: LegacyTable, legacyId: string, reason: string, detail: string): void {
    this.problems.push({ table: t, legacy_id: legacyId, reason, detail, skipped: false })
  }

  build(): ImportReport {
    return { tables: this.tables, problems: this.problems }
  }
}
