/**
 * The one spelling of an email address that identifies an account.
 *
 * The whole address is lowercased, local part included. RFC 5321 lets a mail
 * server treat "Ann@x.org" and "ann@x.org" as different mailboxes, but no
 * common provider does, and a member who types their address with a capital
 * must not end up with a second account (or be told it is taken by a stranger).
 * We do NOT strip dots or "+tags": whether "a.b+c@x.org" reaches "ab@x.org" is
 * up to the provider, and guessing would merge accounts that are distinct.
 *
 * Syntax is the WHATWG HTML `input type=email` grammar (what browsers accept),
 * ASCII only, plus the SMTP length limits and a dot in the domain: practical,
 * not RFC 5322 (no quoted local parts, no comments, no IP literals). The
 * grammar deliberately allows dots anywhere in the local part; so do we.
 */
const EMAIL_MAX_LENGTH = 254
const EMAIL_LOCAL_MAX_LENGTH = 64

const LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/

/** The canonical address, or null when `raw` is not a usable address. */
export function normaliseEmail(raw: string): string | null {
  if (typeof raw !== 'string') return null
  const email = raw.trim()
  if (email.length === 0 || email.length > EMAIL_MAX_LENGTH) return null
  const at = email.indexOf('@')
  if (at < 1 || at !== email.lastIndexOf('@')) return null
  const local = email.slice(0, at)
  const domain = email.slice(at + 1)
  if (local.length > EMAIL_LOCAL_MAX_LENGTH || !LOCAL.test(local)) return null
  const labels = domain.split('.')
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null
  // only after validation: toLowerCase maps some non-ASCII letters (U+212A KELVIN
  // SIGN becomes "k") onto ASCII, which would let a look-alike address through
  return email.toLowerCase()
}
