import type { ZxcvbnFactory } from '@zxcvbn-ts/core'

/**
 * How many guesses a password would take, by zxcvbn-ts: dictionaries of
 * common passwords, English words and names, keyboard walks, sequences,
 * repeats, dates, l33t spellings, and the words the person gave us about
 * themselves (their email and name). Pure computation, no I/O.
 */
export interface Strength {
  /** 0 (too guessable) to 4 (very unguessable): 3 needs about 10^8 guesses, 4 about 10^10 */
  score: 0 | 1 | 2 | 3 | 4
  /** what makes it guessable, in words that never repeat the password; null when nothing stands out */
  warning: string | null
  suggestions: string[]
}

/**
 * The estimator reads only this many characters (UTF-16 units). Its work grows
 * faster than the length: the whole 72 bytes of a hostile password cost up to
 * a second of CPU; 32 characters stay under tens of milliseconds. A password
 * is at least as hard to guess as its beginning, so a strong prefix is strong.
 * @defaultValue 32
 */
const ESTIMATED_CHARS = 32
/** l33t spellings tried per password (the library's default, 100, is most of the hostile cost). @defaultValue 4 */
const L33T_SUBSTITUTIONS = 4

let estimator: ZxcvbnFactory | undefined

/**
 * Built on first use, once per process: the dictionaries take about half a
 * second and 60 MB to unpack, which only a process that checks a password
 * (signup, the bootstrap admin) should pay, never a projector or a worker.
 */
function load(): ZxcvbnFactory {
  if (estimator) return estimator
  /* eslint-disable @typescript-eslint/no-require-imports -- lazily: an import would unpack the dictionaries at start */
  const core = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core')
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common')
  const en = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en')
  /* eslint-enable @typescript-eslint/no-require-imports */
  estimator = new core.ZxcvbnFactory({
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
    maxLength: ESTIMATED_CHARS,
    l33tMaxSubstitutions: L33T_SUBSTITUTIONS,
  })
  return estimator
}

/**
 * The words a person's own details give away: each whole, and each part
 * (`ada.lovelace@club.example.org` → `ada.lovelace`, `ada`, `lovelace`, `club`,
 * `example`, …; `Ada Lovelace` → `adalovelace`, `ada`, `lovelace`).
 */
function personalWords(details: readonly string[]): string[] {
  const words = new Set<string>()
  for (const detail of details) {
    const whole = detail.trim().toLowerCase()
    if (!whole) continue
    words.add(whole)
    const local = whole.split('@')[0]!
    words.add(local)
    const parts = whole.split(/[^\p{L}\p{N}]+/u).filter((p) => p.length >= 3)
    for (const p of parts) words.add(p)
    words.add(local.replace(/[^\p{L}\p{N}]+/gu, ''))
  }
  words.delete('')
  return [...words]
}

export function estimateStrength(password: string, personal: readonly string[] = []): Strength {
  const result = load().check(password, personalWords(personal))
  return { score: result.score, warning: result.feedback.warning, suggestions: result.feedback.suggestions }
}
