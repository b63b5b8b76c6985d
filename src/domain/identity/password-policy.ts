import commonPasswords from './common-passwords.json'
import { estimateStrength } from './password-strength'

/**
 * Which passwords a member may choose (docs/architecture.md §8). Length is counted in UTF-8
 * bytes because bcrypt reads bytes and silently ignores everything past the
 * 72nd: a longer password is refused rather than truncated, so two passwords
 * sharing their first 72 bytes can never both unlock one account. The rules
 * run cheapest first; the strength estimate, by far the dearest, runs last.
 */
export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'personal' | 'complexity' | 'guessable'

/** `strong`: every rule; `club`: the original portal's composition rule (PASSWORD_POLICY). */
export type PasswordPolicy = 'strong' | 'club'

export type PasswordCheck =
  { ok: true } | { ok: false; problem: PasswordProblem; message: string; suggestions: string[] }

/** Who is choosing the password: their own details make poor passwords. */
export interface PasswordContext {
  email?: string
  fullName?: string
  /**
   * `strong` (the default): every rule below. `club`: the original portal's
   * composition rule, with the well-known list kept; no personal-details
   * check and no strength estimate (its scripts sign up with `TestUser@123`).
   */
  policy?: PasswordPolicy
}

/**
 * The top 10,000 of zxcvbn's ranked list, lowercased (common-passwords.LICENSE.txt).
 * The estimator's dictionaries hold them too; the list stays as the cheap exact
 * check before it (a well-known password never costs an estimate, nor the first
 * request of a process the estimator's loading) and for its plainer answer.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(commonPasswords)

/** @defaultValue 8 */
const PASSWORD_MIN_BYTES = 8
/** bcrypt's input limit. @defaultValue 72 */
export const PASSWORD_MAX_BYTES = 72
/** From this many characters (code points) a passphrase needs no character classes. @defaultValue 15 */
const PASSPHRASE_MIN_CHARS = 15
/** The least strength estimate accepted: about 10^8 guesses, years against bcrypt at cost 12. @defaultValue 3 */
const MIN_STRENGTH = 3

// TextEncoder, not Buffer, keeps the domain free of Node APIs. A lone surrogate
// encodes as U+FFFD (3 bytes), the same count bcryptjs uses for it.
const utf8 = new TextEncoder()

export function utf8ByteLength(s: string): number {
  return utf8.encode(s).length
}

// Unicode-aware so that "É" counts as upper case and "é" is not a symbol;
// combining marks belong to their letter, not to the symbols.
const UPPER = /\p{Lu}/u
const LOWER = /\p{Ll}/u
const DIGIT = /\p{Nd}/u
const SYMBOL = /[^\p{L}\p{M}\p{N}]/u

/** Letters and digits only, lowercased: `Ada.Lovelace` and `ada lovelace` are one word to a guesser. */
const letters = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '')
/** Shorter details (a name like "Bo Li") would refuse innocent words; the estimator still weighs them. @defaultValue 6 */
const PERSONAL_MIN_CHARS = 6

/**
 * The whole email, the email's local part, or the full name, inside the
 * password. Checked here and not only by the estimator, which sees just the
 * start of a long password and lets a name and a year pass as ten million guesses.
 */
function holdsPersonalDetails(password: string, { email, fullName }: PasswordContext): boolean {
  const lower = password.toLowerCase()
  if (email && lower.includes(email.trim().toLowerCase())) return true
  const haystack = letters(password)
  const details = [email?.split('@')[0], fullName].map((d) => letters(d ?? ''))
  return details.some((d) => d.length >= PERSONAL_MIN_CHARS && haystack.includes(d))
}

function refuse(problem: PasswordProblem, message: string, suggestions: string[] = []): PasswordCheck {
  return { ok: false, problem, message, suggestions }
}

export function checkPassword(password: string, context: PasswordContext = {}): PasswordCheck {
  // bytes first: it bounds the work done on hostile input below
  const bytes = utf8ByteLength(password)
  if (bytes < PASSWORD_MIN_BYTES)
    return refuse('too_short', `Password must be at least ${PASSWORD_MIN_BYTES} bytes long.`)
  if (bytes > PASSWORD_MAX_BYTES)
    return refuse(
      'too_long',
      `Password must be at most ${PASSWORD_MAX_BYTES} bytes long (UTF-8); it is never truncated.`,
    )
  // before complexity: "this is a well-known password" is the more useful answer
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return refuse('common', 'Password is too common; choose another.')
  const strong = context.policy !== 'club'
  if (strong && holdsPersonalDetails(password, context))
    return refuse('personal', 'Password must not contain your name or email address.')
  // code points, not UTF-16 units: an emoji is one character to the person typing it
  const chars = [...password].length
  const passphrase = chars >= PASSPHRASE_MIN_CHARS
  if (!passphrase && !(UPPER.test(password) && LOWER.test(password) && DIGIT.test(password) && SYMBOL.test(password))) {
    return refuse(
      'complexity',
      `Passwords shorter than ${PASSPHRASE_MIN_CHARS} characters need an upper-case letter, a lower-case letter, a digit and a symbol; or use a passphrase of ${PASSPHRASE_MIN_CHARS} or more characters.`,
    )
  }
  if (!strong) return { ok: true }
  const strength = estimateStrength(password, [context.email ?? '', context.fullName ?? ''])
  if (strength.score < MIN_STRENGTH) {
    const why = strength.warning ?? 'It would not take many guesses.'
    return refuse('guessable', `Password is too easy to guess. ${why}`, strength.suggestions)
  }
  return { ok: true }
}
