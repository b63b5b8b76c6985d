import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createEvent } from '../../helpers/attendance'
import { adminSession, bearer } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'

/**
 * An event's roster at a campus's size: paged along the event's marks (never
 * the whole roster in one answer), its CSV streamed page by page, and marks
 * that arrive while a client pages never shift a page. The rows are written
 * straight into the read tables: what is tested is reading them.
 */
t.test('the roster pages and streams', async (t) => {
  const { app, runtime } = await testApp(t, { redis: false, env: { RATE_LIMIT_ENABLED: 'false' } })
  const admin = await adminSession(app, runtime)
  const event = await createEvent(app, admin, { title: 'Campus Night' })
  const db = runtime.db.kysely
  const start = Date.parse('2026-11-30T18:00:00Z')
  let written = 0
  /** n members, each with a mark a second after the last */
  const marks = async (n: number) => {
    const users = Array.from({ length: n }, (_, i) => ({ id: randomUUID(), i: written + i }))
    const now = new Date()
    await db
      .insertInto('users')
      .values(
        users.map((u) => ({
          id: u.id,
          email: `m${u.i}-${event.id.slice(0, 8)}@example.org`,
          full_name: `Member ${u.i}`,
          role: 'student',
          status: 'approved' as const,
          created_at: now,
          approved_at: now,
          updated_at: now,
        })),
      )
      .execute()
    await db
      .insertInto('attendance_records')
      .values(
        users.map((u) => ({
          id: randomUUID(),
          club_event_id: event.id,
          user_id: u.id,
          qr_session_id: randomUUID(),
          marked_at: new Date(start + u.i * 1000),
        })),
      )
      .execute()
    written += n
  }
  const page = async (query: string) => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/admin/events/${event.id}/attendance${query}`,
      headers: bearer(admin.access_token),
    })
    t.equal(res.statusCode, 200, query)
    return res.json() as { items: { id: string; full_name: string; marked_at: string }[]; next_cursor: string | null }
  }

  await marks(2_500)
  const first = await page('')
  t.equal(first.items.length, 500, 'without a limit: a page of 500, not the 2,500')
  t.ok(first.next_cursor, 'and where the next one starts')
  t.equal(first.items[0]!.full_name, 'Member 0', 'in the order the marks came, with the member')

  // page through while new marks arrive: each mark of the start is read once, in order
  const seen: string[] = []
  let cursor: string | null = ''
  for (let n = 0; cursor !== null && n < 100; n++) {
    const body = await page(`?limit=300${cursor ? `&cursor=${cursor}` : ''}`)
    seen.push(...body.items.map((i) => i.marked_at))
    cursor = body.next_cursor
    if (n === 2) await marks(100) // later marks: after every row already read
  }
  t.equal(seen.length, 2_600, 'every mark once, the ones that came while paging included')
  t.equal(new Set(seen).size, 2_600, 'none twice')
  t.same(seen, [...seen].sort(), 'oldest first')

  const csv = await app.inject({
    method: 'GET',
    url: `/api/admin/events/${event.id}/attendance?format=csv`,
    headers: bearer(admin.access_token),
  })
  t.equal(csv.statusCode, 200)
  const lines = csv.body.split('\r\n').filter((l) => l !== '')
  t.equal(lines[0], 'id,event_id,user_id,full_name,email,qr_session_id,marked_at')
  t.equal(lines.length, 2_601, 'the CSV holds every row, over three pages of 1,000')
  t.equal(new Set(lines).size, 2_601, 'none twice')

  for (const bad of ['?limit=0', '?limit=501', '?limit=x', '?cursor=!!', '?cursor=bm90LWEtY3Vyc29y']) {
    const res = await app.inject({
      method: 'GET',
      url: `/api/admin/events/${event.id}/attendance${bad}`,
      headers: bearer(admin.access_token),
    })
    t.equal(res.statusCode, 400, `${bad}: 400`)
    t.ok(res.json().code && res.json().detail, `${bad}: a code and a detail`)
  }
})
