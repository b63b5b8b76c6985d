import { Lru } from './lru'

/**
 * Wall-clock times without a zone, as the club's event form sends them
 * ("2026-12-02T18:30:00"), read in the club's time zone. JavaScript has no
 * "local time in zone X" parser, only Intl's formatter from an instant to a
 * zone's wall clock; the offset found at a first guess, corrected once,
 * gives the instant (a wall-clock time skipped by a DST change moves forward
 * by the gap, as most calendars do).
 */
const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    })
    formatters.set(zone, f)
  }
  return f
}

/** a UTC timestamp of the given fields, years 1–99 included (Date.UTC reads them as 1901–1999) */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms))
  date.setUTCFullYear(y)
  return date.getTime()
}

/**
 * Offsets already found, by zone and whole second. Every answer naming a
 * time (a mark's, above all) asks for one, and Intl's formatToParts cost
 * about 50 µs of the mark's CPU; a hall's marks fall in the same few
 * seconds. Exact: a zone changes its offset only on a whole second.
 */
const offsets = new Lru<string, number>(4096)

/** how far `zone`'s wall clock is ahead of UTC at instant `t`, in ms */
function offsetAt(t: number, zone: string): number {
  const key = `${zone} ${Math.floor(t / 1000)}`
  let offset = offsets.get(key)
  if (offset === undefined) {
    offset = offsetOfSecond(t, zone)
    offsets.set(key, offset)
  }
  return offset
}

function offsetOfSecond(t: number, zone: string): number {
  const parts: Record<string, string> = {}
  for (const p of formatter(zone).formatToParts(new Date(t))) parts[p.type] = p.value
  const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year)
  const wall = utc(
    year,
    Number(parts.month),
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
    0,
  )
  return wall - (t - (((t % 1000) + 1000) % 1000))
}

/** Whether `s` is a date and time with no zone (what instantIn reads). */
export function isNaive(s: string): boolean {
  return NAIVE.test(s)
}

/**
 * The instant, as ISO-8601 UTC, that the zone-less `wallClock` names in
 * `zone`; undefined when it is no real date and time (month 13, 24:00).
 */
export function instantIn(wallClock: string, zone: string): string | undefined {
  const m = NAIVE.exec(wallClock)
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3))
  const asUtc = utc(y, mo, d, h, mi, s, ms)
  const back = new Date(asUtc)
  // Date rolls 31 April over into May: such a time does not exist
  if (y < 1 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined
  const first = asUtc - offsetAt(asUtc, zone)
  const instant = asUtc - offsetAt(first, zone)
  return new Date(instant).toISOString()
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/**
 * `instant` as ISO-8601 with `zone`'s offset ("2026-12-02T18:30:00.000+05:30"):
 * the same instant, whose date and time read as the club's wall clock (its
 * edit form splits the time off at the T).
 */
export function zonedIso(instant: string, zone: string): string {
  const t = Date.parse(instant)
  const offset = offsetAt(t, zone)
  const wall = new Date(t + offset)
  const sign = offset < 0 ? '-' : '+'
  const minutes = Math.abs(offset) / 60_000
  const date = `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`
  const time = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}.${pad(wall.getUTCMilliseconds(), 3)}`
  return `${date}T${time}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`
}
