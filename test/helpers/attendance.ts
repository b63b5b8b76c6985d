import pg from 'pg'
import type { App } from '../../src/api/types'
import type { QrBody } from '../../src/domain/qr/body'
import type { Runtime } from '../../src/runtime'
import { bearer, member } from './identity'

/** Tiny helpers shared by the attendance API tests. */

type Token = { access_token: string }

export interface ClubEventBody {
  id: string
  title: string
  starts_at: string
  ends_at: string
  location: string | null
  notes: string | null
  description: string | null
  geofence: { lat: number; lng: number; radius_m: number } | null
  /** the club's status: scheduled, active, completed or cancelled */
  status: string
  created_by: string
  created_at: string
}

export interface QrSessionBody {
  id: string
  event_id: string
  payload: string
  expires_at: string
}

/** An ISO time `hours` from now (negative: in the past). */
export const inHours = (hours: number, from = Date.now()) => new Date(from + hours * 3_600_000).toISOString()

/** Creates a club event under way now (unless times are given); throws unless 201. */
export async function createEvent(app: App, admin: Token, body: Record<string, unknown> = {}): Promise<ClubEventBody> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/admin/events',
    headers: bearer(admin.access_token),
    payload: { title: 'Data Science Night', starts_at: inHours(-1), ends_at: inHours(2), ...body },
  })
  if (res.statusCode !== 201) throw new Error(`create event ${res.statusCode} ${res.body}`)
  return (res.json() as { event: ClubEventBody }).event
}

export async function issueQr(app: App, admin: Token, eventId: string, ttl_seconds?: number): Promise<QrSessionBody> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/admin/qr-sessions',
    headers: bearer(admin.access_token),
    payload: ttl_seconds === undefined ? { event_id: eventId } : { event_id: eventId, ttl_seconds },
  })
  if (res.statusCode !== 201) throw new Error(`issue QR ${res.statusCode} ${res.body}`)
  return (res.json() as { qr_session: QrSessionBody }).qr_session
}

export const CLIENT = { ip: '203.0.113.7', userAgent: 'ScannerApp/2.1 (attendance test)' }

/** POST /api/attendance/mark as `student`, from CLIENT's address and user agent. */
export function mark(app: App, student: Token, payload: unknown, extra: Record<string, unknown> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/attendance/mark',
    headers: { ...bearer(student.access_token), 'user-agent': CLIENT.userAgent },
    remoteAddress: CLIENT.ip,
    payload: { qr_payload: payload, ...extra },
  })
}

/** The signed body inside a payload (the signature is not checked). */
export function bodyOf(payload: string): QrBody {
  const part = payload.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as QrBody
}

/** Approved students, made `chunk` at a time (bcrypt and signups are the slow part). */
export async function students(app: App, runtime: Runtime, admin: Token, n: number, chunk = 20) {
  const out: Awaited<ReturnType<typeof member>>[] = []
  for (let i = 0; i < n; i += chunk) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(chunk, n - i) }, () => member(app, runtime, admin)))))
  }
  return out
}

/**
 * Holds the global feed back, as any long write transaction in the cluster
 * does: readers see only events older than the oldest running transaction.
 * Returns the function that ends the transaction and lets the feed move on.
 */
export async function holdFeed(databaseUrl: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  await client.query('BEGIN')
  await client.query('SELECT pg_current_xact_id()') // takes a transaction id: now it holds the snapshot's xmin
  let released = false
  return async () => {
    if (released) return
    released = true
    await client.query('COMMIT').catch(() => undefined)
    await client.end()
  }
}
