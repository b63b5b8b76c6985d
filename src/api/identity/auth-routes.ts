import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { login } from '../../commands/identity/login'
import { logout, refresh } from '../../commands/identity/sessions'
import { requestSignup } from '../../commands/identity/signup'
import { normaliseEmail } from '../../domain/identity/email'
import type { Runtime } from '../../runtime'
import { enforceLimit } from '../rate-limit'
import { errorResponses } from '../schemas'
import { LoginBody, LoginResponse, RefreshBody, SignupBody, SignupResponse, TokenResponse, User } from './schemas'

/** Auth bodies are small: anything over 16 KiB is refused before parsing. */
const AUTH_BODY_LIMIT = 16 * 1024

const security = [{ bearer: [] }]
const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('pragma', 'no-cache')

/** Signing up, in and out, and who the caller is. */
export function authRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const { identity, limiter, config } = runtime
  const limits = config.rateLimits
  const limit = (key: string, max: number) => enforceLimit(limiter, key, max, limits.windowSeconds)
  /**
   * Per IP; per email from that IP, so that a stranger's failed guesses lock
   * only the stranger out; and per email from anywhere over a longer window,
   * so that many addresses together still guess little (config.ts keeps that
   * ceiling above what one address may try). In this order: a request refused
   * by one count is not counted by the next, so an address past its limit
   * spends none of the member's global allowance. `ip` is request.ip, which
   * honours TRUST_PROXY like every other use of the caller's address.
   */
  const limitLogin = async (ip: string, email: string) => {
    await limit(`login:ip:${ip}`, limits.loginPerIp)
    // '/' appears in no address: the two parts of the key cannot run into each other
    await limit(`login:email-ip:${ip}/${email}`, limits.loginPerEmail)
    await enforceLimit(limiter, `login:email:${email}`, limits.loginPerEmailGlobal, limits.loginGlobalWindowSeconds)
  }

  return async (app) => {
    app.post(
      '/signup',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          body: SignupBody,
          response: { 202: SignupResponse, ...errorResponses(409) },
        },
      },
      async (request, reply) => {
        await limit(`signup:ip:${request.ip}`, limits.signupPerIp)
        return reply.status(202).send(await requestSignup(request.tracked(identity), request.body, request.ctx))
      },
    )

    app.post(
      '/login',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        // on login an expired approval is a refusal of access, not a conflict
        config: { access: 'public', refusalStatus: { approval_expired: 403 } },
        schema: {
          tags: ['auth'],
          body: LoginBody,
          response: { 200: LoginResponse, ...errorResponses() },
        },
      },
      async (request, reply) => {
        noStore(reply)
        await limitLogin(request.ip, normaliseEmail(request.body.email) ?? 'invalid')
        return login(request.tracked(identity), request.body, request.ctx)
      },
    )

    app.post(
      '/refresh',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          body: RefreshBody,
          response: { 200: TokenResponse, ...errorResponses() },
        },
      },
      async (request, reply) => {
        noStore(reply)
        await limit(`refresh:ip:${request.ip}`, limits.refreshPerIp)
        return refresh(request.tracked(identity), request.body.refresh_token, request.ctx)
      },
    )

    app.post(
      '/logout',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        config: { access: 'user' },
        schema: {
          tags: ['auth'],
          security,
          body: RefreshBody,
          response: { 204: Type.Null(), ...errorResponses() },
        },
      },
      async (request, reply) => {
        await logout(request.tracked(identity), request.body.refresh_token, request.caller!.id, request.ctx)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/me',
      {
        config: { access: 'user' },
        schema: {
          tags: ['auth'],
          security,
          response: { 200: Type.Object({ user: User }), ...errorResponses() },
        },
      },
      async (request) => {
        const c = request.caller!
        return { user: { id: c.id, email: c.email, full_name: c.full_name, role: c.role, status: 'approved' } }
      },
    )
  }
}
