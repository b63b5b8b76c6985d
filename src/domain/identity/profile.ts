import { identityRefusals } from './refusals'

/**
 * A member's own profile. The limits are the original portal's columns
 * (section 50, branch 100, year 20) and its form (bio 300, 8 skills), so a
 * club's data moves in and its frontend's checks agree with ours.
 */
export interface Profile {
  section: string | null
  branch: string | null
  year: string | null
  bio: string | null
  skills: string[]
}

export type ProfileChanges = Partial<Profile & { full_name: string }>

export const emptyProfile = (): Profile => ({ section: null, branch: null, year: null, bio: null, skills: [] })

const FULL_NAME_MAX = 200
const LIMITS = { section: 50, branch: 100, year: 20, bio: 300 } as const
const SKILLS_MAX = 8
const SKILL_MAX_CHARS = 50

// jsonb cannot store lone surrogates; control characters have no place in a
// name or a one-line field (the bio may keep line breaks)
const UNSTORABLE = /\p{Cs}/u
const SINGLE_LINE_CONTROL = /\p{Cc}/u
const MULTI_LINE_CONTROL = /[^\P{Cc}\n\r\t]/u

const chars = (s: string) => [...s].length
const invalid = identityRefusals.invalidField

function text(field: string, value: string, max: number, multiLine = false): string {
  const t = value.trim()
  if (UNSTORABLE.test(t) || (multiLine ? MULTI_LINE_CONTROL : SINGLE_LINE_CONTROL).test(t))
    throw invalid(field, `${field} contains control characters`)
  if (chars(t) > max) throw invalid(field, `${field} is longer than ${max} characters`)
  return t
}

/** A person's name, at signup or on their profile: 1 to 200 printable characters. */
export function validFullName(value: string): string {
  const name = value.trim()
  if (name === '' || chars(name) > FULL_NAME_MAX || UNSTORABLE.test(name) || SINGLE_LINE_CONTROL.test(name))
    throw identityRefusals.invalidFullName()
  return name
}

/** Skills trimmed, blanks dropped, duplicates (ignoring case) kept once, in the order given. */
function validSkills(skills: string[]): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  for (const s of skills) {
    const skill = text('skills', s, SKILL_MAX_CHARS)
    if (skill === '' || seen.has(skill.toLowerCase())) continue
    seen.add(skill.toLowerCase())
    out.push(skill)
  }
  if (out.length > SKILLS_MAX) throw invalid('skills', `at most ${SKILLS_MAX} skills`)
  return out
}

/**
 * The changes that differ from the current profile, validated and trimmed. A
 * blank optional field means "none" (null), as the club's form sends it.
 */
export function profileChanges(asked: ProfileChanges, current: Profile & { full_name: string }): ProfileChanges {
  const out: ProfileChanges = {}
  if (asked.full_name !== undefined) {
    const name = validFullName(asked.full_name)
    if (name !== current.full_name) out.full_name = name
  }
  for (const field of ['section', 'branch', 'year', 'bio'] as const) {
    const value = asked[field]
    if (value === undefined) continue
    const t = value === null ? '' : text(field, value, LIMITS[field], field === 'bio')
    const next = t === '' ? null : t
    if (next !== current[field]) out[field] = next
  }
  if (asked.skills !== undefined) {
    const skills = validSkills(asked.skills)
    const same = skills.length === current.skills.length && skills.every((s, i) => s === current.skills[i])
    if (!same) out.skills = skills
  }
  return out
}
