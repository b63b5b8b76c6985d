import { resourceRefusals } from './refusals'

const TITLE_MAX_CHARS = 200
const DESCRIPTION_MAX_CHARS = 2000

// jsonb stores no lone surrogate and no NUL: refused here as a validation error, not a failed append
const UNSTORABLE = /\p{Cs}/u
// a title is one line; a description may keep line breaks and tabs
const SINGLE_LINE_CONTROL = /\p{Cc}/u
const MULTI_LINE_CONTROL = /[^\P{Cc}\t\n\r]/u

function text(field: string, value: unknown, max: number, multiLine: boolean): string {
  if (typeof value !== 'string') throw resourceRefusals.validation(field, `${field} must be text`)
  const trimmed = value.trim()
  if (UNSTORABLE.test(trimmed) || (multiLine ? MULTI_LINE_CONTROL : SINGLE_LINE_CONTROL).test(trimmed))
    throw resourceRefusals.validation(field, `${field} contains control characters`)
  if ([...trimmed].length > max) throw resourceRefusals.validation(field, `${field} is longer than ${max} characters`)
  return trimmed
}

export function validTitle(value: unknown): string {
  const title = text('title', value, TITLE_MAX_CHARS, false)
  if (title === '') throw resourceRefusals.validation('title', 'title is required')
  return title
}

/** null, or blank text, is no description */
export function validDescription(value: unknown): string | null {
  if (value === null || value === undefined) return null
  const d = text('description', value, DESCRIPTION_MAX_CHARS, true)
  return d === '' ? null : d
}

const SHA256 = /^[0-9a-f]{64}$/

export function validSha256(value: string): string {
  if (!SHA256.test(value)) throw resourceRefusals.validation('file', 'sha256 must be 64 lower-case hex digits')
  return value
}
