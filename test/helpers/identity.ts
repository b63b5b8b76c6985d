import { randomUUID } from 'node:crypto'
import jwt from 'jsonwebtoken'
import type { App } from '../../src/api/types'
import { createAdmin } from '../../src/commands/identity/bootstrap'
import type { Runtime } from '../../src/runtime'
import { eventually } from './eventually'
import { TEST_SECRETS } from './runtime'

export const PASSWORD = 'Correct-Horse-7-Battery'

export function uniqueEmail(tag = 'member'): string {
  return `${tag}.${randomUUID().slice(0, 8)}@club.example.org`
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** An access token signed by hand, with the test key unless told another: an admin's for an hour unless `claims` say otherwise. */
export function forgeAccessToken(claims: object, key: string = TEST_SECRETS.JWT_SECRET): string {
  const now = Math.floor(Date.now() / 1000)
  const payload = { sub: randomUUID(), role: 'admin', sid: randomUUID(), jti: randomUUID(), kind: 'access' }
  const registered = { iss: 'dscp', aud: 'dscp-api', iat: now, exp: now + 3600 }
  return jwt.sign({ ...payload, ...registered, ...claims }, key, { algorithm: 'HS256' })
}

export async function signup(app: App, email = uniqueEmail(), password = PASSWORD, full_name = 'Ada Member') {
  const res = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password, full_name } })
  if (res.statusCode !== 200) throw new Error(`signup ${res.statusCode} ${res.body}`)
  return {
    email,
    password,
    ...(res.json() as {
      user: { id: string; status: string }
      approval_request: { id: string; status: string; expires_at: string }
    }),
  }
}

export async function login(app: App, email: string, password = PASSWORD) {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } })
  if (res.statusCode !== 200) throw new Error(`login ${res.statusCode} ${res.body}`)
  return res.json() as {
    access_token: string
    refresh_token: string
    user: { id: string; role: string; email: string }
  }
}

/** Waits until the approval_requests projection has the row (the admin list shows it). */
export async function projected(runtime: Runtime, requestId: string): Promise<void> {
  await eventually(
    async () =>
      !!(await runtime.db.kysely
        .selectFrom('approval_requests')
        .select('id')
        .where('id', '=', requestId)
        .executeTakeFirst()),
  )
}

export async function adminSession(app: App, runtime: Runtime, email = uniqueEmail('admin')) {
  await createAdmin(runtime.identity, email, PASSWORD)
  return login(app, email)
}

/** A signed-up, approved member with tokens. */
export async function member(
  app: App,
  runtime: Runtime,
  admin: { access_token: string },
  role: 'student' | 'admin' = 'student',
) {
  const s = await signup(app)
  await projected(runtime, s.approval_request.id)
  const res = await app.inject({
    method: 'POST',
    url: `/api/admin/approval-requests/${s.approval_request.id}/decide`,
    headers: bearer(admin.access_token),
    payload: { decision: 'approve', role },
  })
  if (res.statusCode !== 200) throw new Error(`approve ${res.statusCode} ${res.body}`)
  return { ...s, ...(await login(app, s.email)) }
}
