import commonPasswords from './common-passwords.json'

/**
 * Which passwords a member may choose (docs/architecture.md §8). Length is counted in UTF-8
 * bytes because bcrypt reads bytes and silently ignores everything past the
 * 72nd: a longer password is refused rather than truncated, so two passwords
 * sharing their first 72 bytes can never both unlock one account.
 */
export type PasswordProblem = 'too_short' | 'too_long' | 'complexity' | 'common'

export type PasswordCheck = { ok: true } | { ok: false; problem: PasswordProblem; message: string }

/** The top 10,000 of zxcvbn's ranked list, lowercased (common-passwords.LICENSE.txt). */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(commonPasswords)

/** @defaultValue 8 */
const PASSWORD_MIN_BYTES = 8
/** bcrypt's input limit. @defaultValue 72 */
export const PASSWORD_MAX_BYTES = 72
/** From this many characters (code points) a passphrase needs no character classes. @defaultValue 15 */
const PASSPHRASE_MIN_CHARS = 15

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

function refuse(problem: PasswordProblem, message: string): PasswordCheck {
  return { ok: false, problem, message }
}

export function checkPassword(password: string): PasswordCheck {
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
  // code points, not UTF-16 units: an emoji is one character to the person typing it
  const chars = [...password].length
  if (chars >= PASSPHRASE_MIN_CHARS) return { ok: true }
  if (!(UPPER.test(password) && LOWER.test(password) && DIGIT.test(password) && SYMBOL.test(password))) {
    return refuse(
      'complexity',
      `Passwords shorter than ${PASSPHRASE_MIN_CHARS} characters need an upper-case letter, a lower-case letter, a digit and a symbol; or use a passphrase of ${PASSPHRASE_MIN_CHARS} or more characters.`,
    )
  }
  return { ok: true }
}
