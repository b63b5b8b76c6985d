import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { login } from '../../commands/identity/login'
import { logout, refresh } from '../../commands/identity/sessions'
import { requestSignup } from '../../commands/identity/signup'
import { normaliseEmail } from '../../domain/identity/email'
import { memberProfile } from '../../projections/identity/members'
import type { Runtime } from '../../runtime'
import { errors } from '../errors'
import { enforceLimit } from '../rate-limit'
import { errorResponses } from '../schemas'
import { LoginBody, LoginResponse, Me, RefreshBody, SignupBody, SignupResponse, TokenResponse } from './schemas'

/**
 * A multipart form's fields, read here rather than by the plugin so that a
 * malformed body (no boundary, cut short) is a 400 and not the parser's 500.
 */
async function formFields(request: FastifyRequest): Promise<Record<string, string>> {
  const fields: Record<string, string> = {}
  try {
    for await (const part of request.parts()) if (part.type === 'field') fields[part.fieldname] = String(part.value)
  } catch (err) {
    // the plugin's own limit errors carry their status (413); the parser's carry none
    if ((err as { statusCode?: number }).statusCode) throw err
    throw errors.invalidForm()
  }
  return fields
}

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
          response: { 200: SignupResponse, ...errorResponses(409) },
        },
      },
      async (request) => {
        await limit(`signup:ip:${request.ip}`, limits.signupPerIp)
        const signedUp = await requestSignup(request.tracked(identity), request.body, request.ctx)
        // the club's clients read the two ids flat, and its scripts want exactly 200
        return {
          ...signedUp,
          message: 'Signup received; an administrator will review it',
          user_id: signedUp.user.id,
          approval_request_id: signedUp.approval_request.id,
        }
      },
    )

    // login alone also reads the club's form encodings: its frontend posts FormData, its scripts
    // urlencoded `username` and `password` (OAuth2's password form). Bodies stay small and file-less.
    await app.register(async (scope) => {
      const forms = scope.withTypeProvider<TypeBoxTypeProvider>()
      await forms.register(formbody, { bodyLimit: AUTH_BODY_LIMIT })
      await forms.register(multipart, { limits: { files: 0, fields: 8, fieldSize: 2048, parts: 8 } })
      forms.addHook('preValidation', async (request) => {
        if (request.isMultipart()) request.body = await formFields(request)
      })
      forms.post(
        '/login',
        {
          bodyLimit: AUTH_BODY_LIMIT,
          // on login an expired approval is a refusal of access, not a conflict
          config: { access: 'public', refusalStatus: { approval_expired: 403 } },
          schema: {
            tags: ['auth'],
            description:
              'JSON `{email, password}`, or a form (urlencoded or multipart) with `username` and `password`.',
            body: LoginBody,
            response: { 200: LoginResponse, ...errorResponses() },
          },
        },
        async (request, reply) => {
          noStore(reply)
          const { email = request.body.username, password } = request.body
          if (email === undefined) throw errors.validation(undefined, undefined, 'email (or username) is required')
          await limitLogin(request.ip, normaliseEmail(email) ?? 'invalid')
          return login(request.tracked(identity), { email, password }, request.ctx)
        },
      )
    })

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
        config: { access: 'user', reads: ['users'] },
        schema: {
          tags: ['auth'],
          security,
          description: 'The caller, unwrapped (the club frontend rebuilds its session from it on every page load).',
          response: { 200: Me, ...errorResponses() },
        },
      },
      async (request) => {
        const c = request.caller!
        return {
          id: c.id,
          email: c.email,
          full_name: c.full_name,
          role: c.role,
          status: 'approved',
          // only approved, active callers get this far: no approval to wait for
          is_active: true,
          approval_status: null,
          // the profile, which the club's profile page falls back on; null until the read model has the row
          ...profileFields(await memberProfile(runtime.db.kysely, c.id)),
        }
      },
    )
  }
}

function profileFields(p: Awaited<ReturnType<typeof memberProfile>>) {
  if (!p) return { created_at: null, section: null, branch: null, year: null, bio: null, skills: [] }
  return { created_at: p.created_at, section: p.section, branch: p.branch, year: p.year, bio: p.bio, skills: p.skills }
}
