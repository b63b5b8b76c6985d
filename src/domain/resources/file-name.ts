import { resourceRefusals } from './refusals'

/** File systems take 255 bytes a name; this leaves room for a browser's " (1)". */
export const FILE_NAME_MAX_BYTES = 200

// control and format characters (bidi overrides that make "gpj.exe" read as "exe.jpg",
// zero-width marks), lone surrogates, line and paragraph separators
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu
// what Windows refuses in a name; a browser would quietly change it on saving
const RESERVED = /[<>:"|?*]/g

const bytes = (s: string) => Buffer.byteLength(s, 'utf8')

/** Cuts the stem, keeping the extension, until the name fits `max` UTF-8 bytes. */
function capped(name: string, max: number): string {
  if (bytes(name) <= max) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 && bytes(name.slice(dot)) <= 16 ? name.slice(dot) : ''
  const stem = [...name.slice(0, name.length - ext.length)]
  while (stem.length > 0 && bytes(stem.join('') + ext) > max) stem.pop()
  return (stem.join('').trimEnd() + ext).replace(/^[.\s]+/, '')
}

/**
 * The name a file is stored and served under: the basename of whatever the
 * client sent (`../../x.txt` is `x.txt`, `C:\\a\\b.pdf` is `b.pdf`), without
 * invisible characters, leading dots (no hidden files, no `..`) or trailing
 * dots and spaces, at most FILE_NAME_MAX_BYTES. Never a path: names are only
 * ever shown and sent in Content-Disposition; storage is by resource id, so
 * two files of one name never touch each other.
 */
export function sanitiseFileName(raw: string): string {
  const base = raw.normalize('NFC').split(/[/\\]/).pop() ?? ''
  const cleaned = base
    .replace(INVISIBLE, '')
    .replace(RESERVED, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
  return capped(cleaned, FILE_NAME_MAX_BYTES)
}

/** A sanitised name, refused when nothing is left of it. */
export function validFileName(raw: string): string {
  const name = sanitiseFileName(raw)
  if (name === '') throw resourceRefusals.validation('file', 'The file name is empty once sanitised')
  return name
}
