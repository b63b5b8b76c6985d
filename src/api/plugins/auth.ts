import type { FastifyReply, FastifyRequest } from 'fastify'
import { InvalidTokenError, type TokenService } from '../../auth/tokens'
import type { CommandContext, CommandDeps } from '../../commands/context'
import { loadState, record } from '../../commands/handle'
import { userDecider, userStream, type Role } from '../../domain/identity/user'
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
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
  interface FastifyRequest {
    caller: Caller | null
    ctx: CommandContext
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._-]{1,4096})$/

/**
 * Authentication and role checks, first thing on every request. The token proves who
 * the caller is; their CURRENT role and status come from their event stream,
 * so a demotion or deactivation takes effect on the very next request.
 * Refusals on admin routes, and every 403, are recorded for the audit log.
 */
export function registerAuth(app: App, deps: CommandDeps & { tokens: TokenService }): void {
  app.decorateRequest('caller', null)
  app.decorateRequest('ctx', null as unknown as CommandContext)
  app.addHook('onRequest', async (request) => {
    const ua = request.headers['user-agent']
    request.ctx = { actor_id: null, actor_role: null, ip: request.ip, user_agent: typeof ua === 'string' ? ua.slice(0, 512) : null, request_id: request.id }
  })
  // onRequest, not preHandler: a caller is refused before the body is parsed or
  // validated, so a stranger learns nothing from 400s and every refusal is recorded
  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access ?? 'public'
    if (access === 'public') return
    const caller = await authenticate(request, deps)
    if (!caller) return refuse(request, reply, deps, access, 'unauthorized')
    request.caller = caller
    request.ctx = { ...request.ctx, actor_id: caller.id, actor_role: caller.role }
    if ((access === 'admin' || access === 'student') && caller.role !== access) return refuse(request, reply, deps, access, 'forbidden')
  })
}

async function authenticate(request: FastifyRequest, deps: CommandDeps & { tokens: TokenService }): Promise<Caller | null> {
  const m = BEARER.exec(request.headers.authorization ?? '')
  if (!m) return null
  let claims
  try {
    claims = deps.tokens.verifyAccess(m[1]!, deps.sources.now())
  } catch (err) {
    if (err instanceof InvalidTokenError) return null
    throw err
  }
  const user = await loadState(deps.store, userStream(claims.sub), userDecider)
  if (user.status !== 'approved') return null
  return { id: user.account.id, role: user.role, session_id: claims.sid, email: user.account.email, full_name: user.account.full_name }
}

async function refuse(request: FastifyRequest, reply: FastifyReply, deps: CommandDeps, access: Access, code: 'unauthorized' | 'forbidden') {
  if (access === 'admin' || code === 'forbidden') {
    const day = deps.sources.now().toISOString().slice(0, 10)
    await record(
      deps,
      `security-${day}`,
      { type: 'AccessDenied', data: { method: request.method, route: request.routeOptions.url ?? request.url.split('?')[0]!.slice(0, 200), required: access, reason: code, denied_at: deps.sources.now().toISOString() } },
      request.ctx,
    )
  }
  throw code === 'unauthorized' ? errors.unauthorized() : errors.forbidden()
}
