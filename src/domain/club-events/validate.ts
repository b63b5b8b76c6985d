import { clubEventRefusals } from './refusals'
import type { Geofence } from './events'

/** Limits on what an admin may type; the read side and the UI rely on them. */
const TITLE_MAX_CHARS = 200
const LOCATION_MAX_CHARS = 200
const NOTES_MAX_CHARS = 2000
const DESCRIPTION_MAX_CHARS = 2000
const GEOFENCE_RADIUS_M = { min: 10, max: 10_000 } as const

// PostgreSQL jsonb cannot store lone surrogates nor NUL (a control character,
// refused below): refusing them here turns a failed append into a validation refusal.
const UNSTORABLE = /\p{Cs}/u
// Titles and locations are single-line; notes and descriptions may keep line breaks and tabs.
const SINGLE_LINE_CONTROL = /\p{Cc}/u
const MULTI_LINE_CONTROL = /[^\P{Cc}\t\n\r]/u

const chars = (s: string) => [...s].length

function text(field: string, value: unknown, max: number, multiLine: boolean): string {
  if (typeof value !== 'string') throw clubEventRefusals.validation(field, `${field} must be a string`)
  const trimmed = value.trim()
  if (UNSTORABLE.test(trimmed) || (multiLine ? MULTI_LINE_CONTROL : SINGLE_LINE_CONTROL).test(trimmed)) {
    throw clubEventRefusals.validation(field, `${field} contains control characters`)
  }
  if (chars(trimmed) > max) throw clubEventRefusals.validation(field, `${field} is longer than ${max} characters`)
  return trimmed
}

export function validTitle(value: unknown): string {
  const title = text('title', value, TITLE_MAX_CHARS, false)
  if (title === '') throw clubEventRefusals.validation('title', 'title is empty')
  return title
}

const OPTIONAL_TEXT = {
  location: { max: LOCATION_MAX_CHARS, multiLine: false },
  notes: { max: NOTES_MAX_CHARS, multiLine: true },
  description: { max: DESCRIPTION_MAX_CHARS, multiLine: true },
} as const

/** Optional text: null, or a blank string, means "none". */
export function optionalText(field: keyof typeof OPTIONAL_TEXT, value: unknown): string | null {
  if (value === null) return null
  const { max, multiLine } = OPTIONAL_TEXT[field]
  const t = text(field, value, max, multiLine)
  return t === '' ? null : t
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/
const MAX_TIME = Date.UTC(9999, 11, 31)

/**
 * A date-time with an explicit zone, normalised to UTC. Strict because
 * Date.parse quietly rolls 2024-02-30 over to March.
 */
export function validTime(field: string, value: unknown): string {
  const m = typeof value === 'string' ? ISO.exec(value) : null
  const bad = () => clubEventRefusals.validation(field, `${field} must be an ISO-8601 date-time with a time zone`)
  if (!m) throw bad()
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, oh = 0, om = 0] = m.slice(1).map((x) => Number(x ?? 0))
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate()
  const inRange =
    mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth && h <= 23 && mi <= 59 && s <= 59 && oh <= 23 && om <= 59
  const ms = Date.parse(value as string)
  if (!inRange || !Number.isFinite(ms) || ms < 0 || ms > MAX_TIME) throw bad()
  return new Date(ms).toISOString()
}

/**
 * The end of an event given only its start: `minutes` later (the caller's
 * EVENT_DEFAULT_DURATION_MINUTES), checked as a sent end would be, so a start
 * near the last supported day cannot run past it.
 */
export function endAfter(startsAt: string, minutes: number): string {
  const end = Date.parse(startsAt) + minutes * 60_000
  if (!Number.isSafeInteger(minutes) || minutes < 1 || !Number.isFinite(end) || end > MAX_TIME)
    throw clubEventRefusals.validation('ends_at', 'the event would end after the last supported date')
  return new Date(end).toISOString()
}

export function validWindow(startsAt: string, endsAt: string): void {
  if (Date.parse(startsAt) >= Date.parse(endsAt))
    throw clubEventRefusals.validation('ends_at', 'ends_at must be after starts_at')
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)

export function validGeofence(value: unknown): Geofence | null {
  if (value === null) return null
  const bad = (message: string) => clubEventRefusals.validation('geofence', message)
  if (typeof value !== 'object' || Array.isArray(value)) throw bad('geofence must be an object or null')
  const { lat, lng, radius_m } = value as Record<string, unknown>
  if (!isNumber(lat) || lat < -90 || lat > 90) throw bad('geofence.lat must be within -90..90')
  if (!isNumber(lng) || lng < -180 || lng > 180) throw bad('geofence.lng must be within -180..180')
  if (!isNumber(radius_m) || radius_m < GEOFENCE_RADIUS_M.min || radius_m > GEOFENCE_RADIUS_M.max) {
    throw bad(`geofence.radius_m must be within ${GEOFENCE_RADIUS_M.min}..${GEOFENCE_RADIUS_M.max}`)
  }
  // only the known fields: anything else a client sent is dropped, never stored
  return { lat, lng, radius_m }
}
