import { readdir } from 'node:fs/promises'
import { type RawTables, readSnapshot } from '../../domain/legacy/read'
import { LEGACY_TABLES, type LegacySnapshot } from '../../domain/legacy/snapshot'
import { readPostgres } from './postgres-source'
import { readSqlite } from './sqlite-source'

class BadSource extends Error {
  override readonly name = 'BadSource'
}

/** `sqlite:<path>` (or a path ending .db/.sqlite/.sqlite3), or a postgres:// URL. */
async function readRaw(from: string): Promise<RawTables> {
  if (/^postgres(ql)?:\/\//i.test(from)) return readPostgres(from, LEGACY_TABLES)
  const path = from.startsWith('sqlite:') ? from.slice('sqlite:'.length) : /\.(db|sqlite3?)$/i.test(from) ? from : null
  if (!path) throw new BadSource(`--from must be sqlite:<path> or a postgres:// URL, got ${JSON.stringify(from)}`)
  return readSqlite(path, LEGACY_TABLES)
}

/** The source's history in one shape, whichever engine and schema it is. */
export async function readLegacySource(from: string): Promise<LegacySnapshot> {
  return readSnapshot(await readRaw(from))
}

/** The names of the files in the uploads directory (the plan matches materials against them). */
export async function uploadedFiles(dir: string | null): Promise<Set<string>> {
  if (dir === null) return new Set()
  const entries = await readdir(dir, { withFileTypes: true })
  return new Set(entries.filter((e) => e.isFile()).map((e) => e.name))
}

/** A source as logs and reports may show it: a URL without its password. */
export function describeSource(from: string): string {
  if (!/^postgres(ql)?:\/\//i.test(from)) return from
  try {
    const u = new URL(from)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'postgres://…'
  }
}
