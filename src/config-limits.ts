import { ConfigError, type Env, num } from './env'

/** How often a client may do what costs us or them: the RATE_LIMIT_* variables (config.ts). */
export interface RateLimits {
  /** requests per window per IP on POST /api/auth/signup. @defaultValue 10 */
  signupPerIp: number
  /** per IP on POST /api/auth/login. @defaultValue 30 */
  loginPerIp: number
  /** per normalised email from one IP on POST /api/auth/login: a stranger cannot lock a member out. @defaultValue 10 */
  loginPerEmail: number
  /** per email from anywhere in loginGlobalWindowSeconds; above what one IP may try there. @defaultValue 1000 */
  loginPerEmailGlobal: number
  /** per IP on POST /api/auth/refresh. @defaultValue 60 */
  refreshPerIp: number
  /** per user on POST /api/attendance/mark. @defaultValue 30 */
  markPerUser: number
  /** the window all of the above count in, in seconds (but loginPerEmailGlobal). @defaultValue 60 */
  windowSeconds: number
  /** the window of loginPerEmailGlobal, in seconds. @defaultValue 3600 */
  loginGlobalWindowSeconds: number
}

/** Refusals of a route's access rule (api/plugins/auth.ts, commands/audit/access-denied.ts). */
export interface AccessDeniedSettings {
  /**
   * refusals of an anonymous caller per IP in RATE_LIMIT_WINDOW_SECONDS before the rest are answered 429 and
   * only counted (RATE_LIMIT_DENIED_PER_IP). @defaultValue 60
   */
  perIp: number
  /** repeated refusals of one source on one route are summed up per window this long (AUDIT_DENIED_WINDOW_SECONDS). @defaultValue 60 */
  windowSeconds: number
}

export function rateLimits(env: Env): RateLimits {
  const r: RateLimits = {
    signupPerIp: num(env, 'RATE_LIMIT_SIGNUP_PER_IP', 10, { min: 1, integer: true }),
    loginPerIp: num(env, 'RATE_LIMIT_LOGIN_PER_IP', 30, { min: 1, integer: true }),
    loginPerEmail: num(env, 'RATE_LIMIT_LOGIN_PER_EMAIL', 10, { min: 1, integer: true }),
    loginPerEmailGlobal: num(env, 'RATE_LIMIT_LOGIN_PER_EMAIL_GLOBAL', 1000, { min: 1, integer: true }),
    refreshPerIp: num(env, 'RATE_LIMIT_REFRESH_PER_IP', 60, { min: 1, integer: true }),
    markPerUser: num(env, 'RATE_LIMIT_MARK_PER_USER', 30, { min: 1, integer: true }),
    windowSeconds: num(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, { min: 1, integer: true }),
    loginGlobalWindowSeconds: num(env, 'RATE_LIMIT_LOGIN_GLOBAL_WINDOW_SECONDS', 3600, { min: 1, integer: true }),
  }
  const oneIp = Math.min(r.loginPerEmail, r.loginPerIp) * (Math.ceil(r.loginGlobalWindowSeconds / r.windowSeconds) + 1)
  if (r.loginPerEmailGlobal > oneIp) return Object.freeze(r)
  throw new ConfigError('RATE_LIMIT_LOGIN_PER_EMAIL_GLOBAL', `must exceed ${oneIp}, or one IP alone could reach it`)
}

export function accessDenied(env: Env): Readonly<AccessDeniedSettings> {
  return Object.freeze({
    perIp: num(env, 'RATE_LIMIT_DENIED_PER_IP', 60, { min: 1, integer: true }),
    windowSeconds: num(env, 'AUDIT_DENIED_WINDOW_SECONDS', 60, { min: 1, max: 86_400, integer: true }),
  })
}
