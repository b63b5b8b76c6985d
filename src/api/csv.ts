import { Readable } from 'node:stream'
import { escapeControl } from '../domain/audit/sanitize'

/**
 * One CSV cell: always quoted, quotes doubled, control characters escaped as
 * text (audit rows are escaped already; this holds for any value), and a
 * leading = + - @ defused with a quote so a spreadsheet never runs it.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '""'
  const raw = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const s = raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => escapeControl(c))
  return `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`
}

export const csvLine = (cells: unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`

/** A CSV body written page by page as the client reads it: the header line, then a line per row. */
export function csvStream<R>(header: string, columns: readonly (keyof R)[], pages: AsyncIterable<R[]>): Readable {
  return Readable.from(
    (async function* () {
      yield header
      for await (const page of pages) yield page.map((r) => csvLine(columns.map((c) => r[c]))).join('')
    })(),
  )
}
