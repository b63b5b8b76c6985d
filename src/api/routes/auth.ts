import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { login } from '../../commands/identity/login'
import { logout, refresh } from '../../commands/identity/refresh'
import { requestSignup } from '../../commands/identity/signup'
import { DomainError } from '../../domain/decider'
import { normaliseEmail } from '../../domain/identity/email'
import type { Runtime } from '../../runtime'
import { ApiError, errors } from '../errors'
import {
  LoginBody,
  LoginResponse,
  RefreshBody,
  SignupBody,
  SignupResponse,
  TokenResponse,
  User,
} from '../schemas/identity'
import { errorResponses } from '../schemas/common'

/** Auth bodies are small: anything over 16 KiB is refused before parsing. */
export const AUTH_BODY_LIMIT = 16 * 1024

export function authRoutes(runtime: Runtime): FastifyPluginAsyncTypebox {
  const { identity, limiter, config } = runtime
  const limits = config.rateLimits
  const limit = async (reply: FastifyReply, key: string, max: number) => {
    const r = await limiter.hit(key, max, limits.windowSeconds)
    if (!r.allowed) throw errors.rateLimited(undefined, { 'retry-after': String(r.retryAfterSeconds) })
    void reply
  }
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store').header('pragma', 'no-cache')

  return async (app) => {
    app.post(
      '/signup',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        config: { access: 'public' },
        schema: { tags: ['auth'], body: SignupBody, response: { 202: SignupResponse, ...errorResponses(409) } },
      },
      async (request, reply) => {
        await limit(reply, `signup:ip:${request.ip}`, limits.signupPerIp)
        const result = await requestSignup(identity, request.body, request.ctx)
        return reply.status(202).send(result)
      },
    )

    app.post(
      '/login',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        config: { access: 'public' },
        schema: { tags: ['auth'], body: LoginBody, response: { 200: LoginResponse, ...errorResponses() } },
      },
      async (request, reply) => {
        noStore(reply)
        await limit(reply, `login:ip:${request.ip}`, limits.loginPerIp)
        await limit(reply, `login:email:${normaliseEmail(request.body.email) ?? 'invalid'}`, limits.loginPerEmail)
        try {
          return await login(identity, request.body, request.ctx)
        } catch (err) {
          // on login an expired approval is a refusal of access, not a conflict
          if (err instanceof DomainError && err.code === 'approval_expired')
            throw new ApiError(403, err.code, err.message, err.details)
          throw err
        }
      },
    )

    app.post(
      '/refresh',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        config: { access: 'public' },
        schema: { tags: ['auth'], body: RefreshBody, response: { 200: TokenResponse, ...errorResponses() } },
      },
      async (request, reply) => {
        noStore(reply)
        await limit(reply, `refresh:ip:${request.ip}`, limits.refreshPerIp)
        return refresh(identity, request.body.refresh_token, request.ctx)
      },
    )

    app.post(
      '/logout',
      {
        bodyLimit: AUTH_BODY_LIMIT,
        config: { access: 'user' },
        schema: {
          tags: ['auth'],
          security: [{ bearer: [] }],
          body: RefreshBody,
          response: { 204: Type.Null(), ...errorResponses() },
        },
      },
      async (request: FastifyRequest<{ Body: { refresh_token: string } }>, reply) => {
        await logout(identity, request.body.refresh_token, request.caller!.id, request.ctx)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/me',
      {
        config: { access: 'user' },
        schema: {
          tags: ['auth'],
          security: [{ bearer: [] }],
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
