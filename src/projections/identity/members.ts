import { sql } from 'kysely'
import type { Role } from '../../domain/identity/user-events'
import { membersFigures } from '../attendance/attendance-records'
import { type Keyset, type Page, keysetPage } from '../keyset'
import type { Executor } from '../projection'

/** A member as the directory shows them: who, since when, active or not, and their attendance. */
export interface MemberView {
  id: string
  email: string
  full_name: string
  role: Role
  is_active: boolean
  joined_at: string
  approved_at: string
  attended: number
  total_events: number
  /** attended ÷ total_events in percent, one decimal; 0 with no events */
  attendance_rate: number
}

export interface MemberListOptions {
  /** part of the name or the email, any case */
  q?: string
  role?: Role
  /** true: active members only; false: deactivated only; absent: both */
  active?: boolean
  after?: Keyset
  limit: number
  now: Date
}

/** `LIKE` matches the text itself, not its `%` and `_` as wildcards. */
const likeEscaped = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** Members are approved accounts, active or deactivated (a removed one has left the club). */
function directory(db: Executor, opts: Omit<MemberListOptions, 'after' | 'limit' | 'now'>) {
  let q = db.selectFrom('users as u').where('u.role', 'is not', null)
  q =
    opts.active === undefined
      ? q.where('u.status', 'in', ['approved', 'deactivated'])
      : q.where('u.status', '=', opts.active ? 'approved' : 'deactivated')
  if (opts.role) q = q.where('u.role', '=', opts.role)
  if (opts.q) {
    const like = likeEscaped(opts.q)
    q = q.where((eb) => eb.or([eb('u.full_name', 'ilike', like), eb('u.email', 'ilike', like)]))
  }
  return q.select(['u.id', 'u.email', 'u.full_name', 'u.role', 'u.status', 'u.created_at', 'u.approved_at'])
}

type DirectoryRow = Awaited<ReturnType<ReturnType<typeof directory>['execute']>>[number]

const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10)

async function withFigures(db: Executor, rows: DirectoryRow[], now: Date): Promise<MemberView[]> {
  const figures = await membersFigures(
    db,
    rows.map((r) => r.id),
    now,
  )
  return rows.map((r) => {
    const { attended, total_events } = figures.get(r.id)!
    return {
      id: r.id,
      email: r.email,
      full_name: r.full_name,
      role: r.role!,
      is_active: r.status === 'approved',
      joined_at: r.created_at.toISOString(),
      // an approved account has its approval time; a row written before it was kept falls back to signup
      approved_at: (r.approved_at ?? r.created_at).toISOString(),
      attended,
      total_events,
      attendance_rate: percent(attended, total_events),
    }
  })
}

/** The member directory, newest member first, a keyset page at a time. */
export async function pageMembers(db: Executor, opts: MemberListOptions): Promise<Page<MemberView>> {
  const order = {
    columns: ['u.approved_at', 'u.id'] as [string, string],
    direction: 'desc' as const,
    keyOf: (r: DirectoryRow) => ({ at: r.approved_at ?? r.created_at, id: r.id }),
  }
  const { rows, next } = await keysetPage(directory(db, opts), order, opts.after, opts.limit)
  return { items: await withFigures(db, rows, opts.now), next }
}

/** The club's directory: every student, newest first, capped (its page has no paging). */
export async function clubMembers(db: Executor, now: Date, cap: number): Promise<MemberView[]> {
  const rows = await directory(db, { role: 'student' })
    .orderBy(sql`u.approved_at`, 'desc')
    .orderBy('u.id', 'desc')
    .limit(cap)
    .execute()
  return withFigures(db, rows, now)
}

/** A member's own profile as the read model holds it. */
export async function memberProfile(db: Executor, userId: string) {
  const row = await db
    .selectFrom('users')
    .select(['id', 'email', 'full_name', 'section', 'branch', 'year', 'bio', 'skills', 'created_at'])
    .where('id', '=', userId)
    .executeTakeFirst()
  if (!row) return undefined
  return { ...row, created_at: row.created_at.toISOString() }
}

/** Members by role and state (the admin dashboard). */
export async function memberCounts(db: Executor) {
  const rows = await db
    .selectFrom('users')
    .select((eb) => ['role', 'status', eb.fn.countAll<string>().as('n')])
    .where('role', 'is not', null)
    .where('status', 'in', ['approved', 'deactivated'])
    .groupBy(['role', 'status'])
    .execute()
  const count = (role: Role | null, status: 'approved' | 'deactivated' | null) =>
    rows
      .filter((r) => (role === null || r.role === role) && (status === null || r.status === status))
      .reduce((n, r) => n + Number(r.n), 0)
  return {
    total: count(null, null),
    students: count('student', 'approved'),
    admins: count('admin', 'approved'),
    inactive: count(null, 'deactivated'),
  }
}
