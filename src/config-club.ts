import type { PasswordPolicy } from './domain/identity/password-policy'
import { ConfigError, type Env, num, str } from './env'

/** What the club's own frontend and scripts need of this service (docs/club-frontend.md). */
export interface ClubSettings {
  /**
   * origins a browser may call the API from (CORS_ORIGINS, comma list, or `*`): needed only when the
   * frontend is served from another origin than the API. Unset: no CORS headers at all. @defaultValue []
   */
  corsOrigins: string[]
  /**
   * IANA time zone in which a timestamp sent without a zone (the club's event form sends local wall-clock
   * time) is read (CLUB_TIMEZONE). @defaultValue 'UTC'
   */
  timezone: string
  /** how long an event created with only `scheduled_at` lasts (EVENT_DEFAULT_DURATION_MINUTES). @defaultValue 120 */
  eventDefaultDurationMinutes: number
  /**
   * which passwords a signup may choose (PASSWORD_POLICY): `strong` weighs each with a strength estimate
   * and refuses the member's own name in it; `club` is the original portal's rule (8 characters with an
   * upper- and a lower-case letter, a digit and a symbol, here also never a well-known password), for a
   * club whose own scripts and members expect it. @defaultValue 'strong'
   */
  passwordPolicy: PasswordPolicy
}

function passwordPolicy(env: Env): PasswordPolicy {
  const policy = str(env, 'PASSWORD_POLICY', 'strong')
  if (policy !== 'strong' && policy !== 'club')
    throw new ConfigError('PASSWORD_POLICY', `must be strong or club, not ${JSON.stringify(policy)}`)
  return policy
}

function timezone(env: Env): string {
  const zone = str(env, 'CLUB_TIMEZONE', 'UTC')!
  try {
    // the one check of a zone name JavaScript has: an unknown one throws RangeError
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return zone
  } catch {
    throw new ConfigError('CLUB_TIMEZONE', `not an IANA time zone: ${JSON.stringify(zone)}`)
  }
}

function corsOrigins(env: Env): string[] {
  const raw = str(env, 'CORS_ORIGINS')
  if (raw === undefined) return []
  const origins = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  for (const origin of origins) {
    if (origin === '*') continue
    let parsed: URL | undefined
    try {
      parsed = new URL(origin)
    } catch {
      parsed = undefined
    }
    // an origin is scheme, host and port: a path or a typo would silently match nothing
    if (!parsed || parsed.origin !== origin)
      throw new ConfigError('CORS_ORIGINS', `not an origin (scheme://host[:port]): ${JSON.stringify(origin)}`)
  }
  return origins
}

export function clubSettings(env: Env): ClubSettings {
  return {
    corsOrigins: corsOrigins(env),
    timezone: timezone(env),
    eventDefaultDurationMinutes: num(env, 'EVENT_DEFAULT_DURATION_MINUTES', 120, {
      min: 1,
      max: 60 * 24 * 14,
      integer: true,
    }),
    passwordPolicy: passwordPolicy(env),
  }
}
