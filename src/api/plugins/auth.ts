import type { FastifyRequest } from 'fastify'
import type { AccessDeniedRecorder } from '../../commands/audit/access-denied'
import type { ActorContext, CommandContext, CommandDeps } from '../../commands/context'
import { type GuardedAppender, guardedAppender, loadStateAt } from '../../commands/handle'
import type { SessionRevocations } from '../../commands/identity/revoked-sessions'
import { userDecider } from '../../domain/identity/user'
import { type Role, userStream } from '../../domain/identity/user-events'
import { InvalidTokenError, type TokenService } from '../../platform/auth/access-tokens'
import { Lru } from '../../platform/lru'
import type { RateLimiter } from '../../platform/rate-limiter'
import { GuardFailed } from '../../store/event-store'
import { errors } from '../errors'
import type { App } from '../types'

/** Who may call a route; every route declares one (the RBAC matrix test checks them all). */
export type Access = 'public' | 'user' | 'student' | 'admin'

export interface Caller {
  id: string
  role: Role
  session_id: string
  email: string
  full_name: string
  /** the revision of the user stream this caller's role and status were read at */
  revision: bigint
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
    /**
     * The caller's role may come from this process' cache (the mark route):
     * safe because such a route writes only through `request.guarded`, whose
     * appender is the only writer its command accepts (commands/handle.ts), and
     * every append it makes holds only if the user stream is still where the
     * role was read.
     */
    cachedCaller?: boolean
  }
  interface FastifyRequest {
    caller: Caller | null
    ctx: CommandContext
    /** `ctx` with the caller as its actor; only on routes that admit a caller (throws on public ones) */
    actor(): ActorContext
    /**
     * Runs `write` with an appender guarded by the caller's user stream at the
     * revision their role was read at. If the stream has moved (a demotion, a
     * deactivation), the caller is read again and checked again (401/403 as on
     * arrival), and `write` runs once more on the fresh state.
     */
    guarded<T>(write: (writer: GuardedAppender) => Promise<T>): Promise<T>
  }
}

/** How many callers a process keeps for `cachedCaller` routes (least recently used leave first). */
const CALLER_CACHE_SIZE = 10_000
const GUARD_ATTEMPTS = 3

const BEARER = /^Bearer ([A-Za-z0-9._-]{1,4096})$/

/** A valid token of a session that has ended (logout, a replayed refresh token). */
const REVOKED = 'revoked'

type AuthDeps = CommandDeps & { tokens: TokenService; revocations: SessionRevocations }

/** Where refusals go: recorded, and an anonymous caller limited per address before anything is stored. */
export interface Refusals {
  recorder: AccessDeniedRecorder
  limiter: RateLimiter
  perIp: number
  windowSeconds: number
}

/**
 * Authentication and role checks, first thing on every request. The token proves who
 * the caller is; their CURRENT role and status come from their event stream,
 * so a demotion or deactivation takes effect on the very next request.
 * Refusals on admin routes, and every 403, are recorded for the audit log.
 */
export function registerAuth(app: App, deps: AuthDeps, refusals: Refusals): void {
  const cache = new Lru<string, Caller>(CALLER_CACHE_SIZE)
  app.decorateRequest('caller', null)
  app.decorateRequest('ctx', null as unknown as CommandContext)
  app.decorateRequest('actor', function actor(this: FastifyRequest): ActorContext {
    if (!this.caller) throw new Error(`${this.routeOptions.url ?? 'route'} admits no caller: it has no actor`)
    return { ...this.ctx, actor_id: this.caller.id }
  })
  app.decorateRequest('guarded', async function guarded<
    T,
  >(this: FastifyRequest, write: (writer: GuardedAppender) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const caller = this.caller!
      const stream = userStream(caller.id)
      try {
        return await write(guardedAppender(this.tracked(deps).store, { stream, revision: caller.revision }))
      } catch (err) {
        if (!(err instanceof GuardFailed) || err.stream !== stream || attempt >= GUARD_ATTEMPTS) throw err
        cache.delete(caller.id)
        await admit(
          this,
          refusals,
          this.routeOptions.config.access ?? 'public',
          await loadCaller(deps, caller.id, caller.session_id),
        )
      }
    }
  })
  app.addHook('onRequest', async (request) => {
    const ua = request.headers['user-agent']
    request.ctx = {
      actor_id: null,
      actor_role: null,
      ip: request.ip,
      user_agent: typeof ua === 'string' ? ua.slice(0, 512) : null,
      request_id: request.id,
    }
  })
  // onRequest, not preHandler: a caller is refused before the body is parsed or
  // validated, so a stranger learns nothing from 400s and every refusal is recorded
  app.addHook('onRequest', async (request) => {
    const { access = 'public', cachedCaller = false } = request.routeOptions.config
    if (access === 'public') return
    const caller = await authenticate(request, deps, access, cachedCaller ? cache : undefined)
    await admit(request, refusals, access, caller)
  })
}

/** Lets `caller` in as the request's caller, or refuses (401 when there is none, 403 for the wrong role). */
async function admit(
  request: FastifyRequest,
  refusals: Refusals,
  access: Access,
  caller: Caller | typeof REVOKED | null,
): Promise<void> {
  if (caller === REVOKED) return refuse(request, refusals, access, 'unauthorized', errors.sessionRevoked())
  if (!caller) return refuse(request, refusals, access, 'unauthorized')
  request.caller = caller
  request.ctx = { ...request.ctx, actor_id: caller.id, actor_role: caller.role }
  if (!allows(access, caller.role)) return refuse(request, refusals, access, 'forbidden')
}

const allows = (access: Access, role: Role): boolean => (access !== 'admin' && access !== 'student') || role === access

/**
 * Who the token's holder is now. From `cache` only when the cached caller is
 * let in (so a refusal is never made on a stale read); anything else is read
 * from the user stream, and an approved caller is then cached. A token of a
 * session that has ended is refused from memory (a token issued before this
 * process listened has its session read once, beside the user stream).
 */
async function authenticate(
  request: FastifyRequest,
  deps: AuthDeps,
  access: Access,
  cache?: Lru<string, Caller>,
): Promise<Caller | typeof REVOKED | null> {
  const m = BEARER.exec(request.headers.authorization ?? '')
  if (!m) return null
  let claims
  try {
    claims = deps.tokens.verifyAccess(m[1]!, deps.sources.now())
  } catch (err) {
    if (err instanceof InvalidTokenError) return null
    throw err
  }
  const ended = deps.revocations.ended(claims.sid, claims.iat)
  if (ended === true) return REVOKED
  const cached = cache?.get(claims.sub)
  if (cached && allows(access, cached.role)) {
    if (ended !== false && (await ended)) return REVOKED
    return { ...cached, session_id: claims.sid }
  }
  const [caller, isEnded] = await Promise.all([loadCaller(deps, claims.sub, claims.sid), ended])
  if (isEnded) return REVOKED
  if (caller) cache?.set(caller.id, caller)
  else cache?.delete(claims.sub)
  return caller
}

/** The caller as their user stream says now; null unless approved. */
async function loadCaller(deps: CommandDeps, userId: string, sessionId: string): Promise<Caller | null> {
  const { state: user, revision } = await loadStateAt(deps.store, userStream(userId), userDecider)
  if (user.status !== 'approved' || revision === 'no_stream') return null
  return {
    id: user.account.id,
    role: user.role,
    session_id: sessionId,
    email: user.account.email,
    full_name: user.account.full_name,
    revision,
  }
}

/**
 * Refusals on admin routes, and every 403, are recorded (summed up per source,
 * route and window: commands/audit/access-denied.ts). A caller without a valid
 * token is first counted against their address: past the limit they get a 429,
 * and their refusal is only counted, never stored alone.
 */
async function refuse(
  request: FastifyRequest,
  { recorder, limiter, perIp, windowSeconds }: Refusals,
  access: Access,
  code: 'unauthorized' | 'forbidden',
  answer = code === 'unauthorized' ? errors.unauthorized() : errors.forbidden(),
): Promise<never> {
  if (access !== 'admin' && code !== 'forbidden') throw answer
  const route = request.routeOptions.url ?? request.url.split('?')[0]!.slice(0, 200)
  const denial = { method: request.method, route, required: access, reason: code }
  if (code === 'unauthorized') {
    const limit = await limiter.hit(`denied:ip:${request.ip}`, perIp, windowSeconds)
    if (!limit.allowed) {
      await recorder.refused(denial, request.ctx, true)
      throw errors.rateLimited(undefined, { 'retry-after': String(limit.retryAfterSeconds) })
    }
  }
  await recorder.refused(denial, request.ctx)
  throw answer
}
