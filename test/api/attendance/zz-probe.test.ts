import t from 'tap'
import { adminSession, bearer, member } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'
import { createEvent, issueQr, inHours } from './helpers'

t.test('probe', async (t) => {
  const { app, runtime } = await testApp(t, { env: { RATE_LIMIT_ENABLED: 'false' } })
  const admin = await adminSession(app, runtime)
  const h = bearer(admin.access_token)
  const st = await member(app, runtime, admin)
  const ev = await createEvent(app, admin)
  const qr = await issueQr(app, admin, ev.id)
  const reqs: [string, string, unknown?, Record<string,string>?][] = [
    ['GET', '/api/events?limit=0'], ['GET', '/api/events?limit=abc'], ['GET', '/api/events?when=upcoming&when=past'],
    ['GET', `/api/admin/events/${ev.id}/attendance?format=xml`], ['GET', '/api/admin/qr-sessions/active?event_id=zz'],
    ['GET', '/api/events/not-a-uuid'], ['GET', '/api/admin/events/00000000-0000-0000-0000-000000000000/attendance'],
    ['POST', '/api/admin/events', { title: 'a\u0000b', starts_at: inHours(1), ends_at: inHours(2) }],
    ['POST', '/api/admin/events', { title: 'a\ud800b', starts_at: inHours(1), ends_at: inHours(2) }],
    ['POST', '/api/admin/events', { title: 'ok', notes: 'x\ud800', starts_at: inHours(1), ends_at: inHours(2) }],
    ['POST', '/api/admin/events', { title: 'ok', starts_at: '0000-01-01T00:00:00Z', ends_at: inHours(2) }],
    ['POST', '/api/admin/events', { title: 'ok', starts_at: '9999-12-31T23:00:00Z', ends_at: '9999-12-31T23:59:59Z' }],
    ['POST', '/api/admin/events', { title: 'ok', starts_at: '2030-01-01T00:00:00+14:00', ends_at: '2030-01-01T00:00:00-12:00' }],
    ['POST', '/api/admin/events', { title: 'ok', starts_at: '2030-01-01T00:00:60Z', ends_at: '2030-01-02T00:00:00Z' }],
    ['POST', '/api/admin/events', { title: 'ok', starts_at: '2030-01-01T24:00:00Z', ends_at: '2030-01-02T00:00:00Z' }],
    ['POST', '/api/admin/events', { title: 'ok', starts_at: '2030-01-01t00:00:00z', ends_at: '2030-01-02T00:00:00Z' }],
    ['POST', '/api/admin/events', { title: 'ok', starts_at: '2030-01-01 00:00:00Z', ends_at: '2030-01-02T00:00:00Z' }],
    ['POST', '/api/admin/events', { title: 'ok', starts_at: '2030-01-01T00:00:00.1234567891Z', ends_at: '2030-01-02T00:00:00Z' }],
    ['POST', '/api/admin/events', { title: 'ok', starts_at: inHours(1), ends_at: inHours(2), geofence: { lat: 1e-320, lng: -0, radius_m: 10 } }],
    ['PATCH', `/api/admin/events/${ev.id}`, { title: null }],
    ['PATCH', `/api/admin/events/${ev.id}`, { starts_at: null }],
    ['PATCH', `/api/admin/events/${ev.id}`, { notes: 'x'.repeat(2000) }],
    ['PATCH', `/api/admin/events/${ev.id}`, { notes: '😀'.repeat(2000) }],
    ['POST', '/api/admin/qr-sessions', { event_id: ev.id, ttl_seconds: 4 }],
    ['POST', '/api/admin/qr-sessions', { event_id: ev.id, ttl_seconds: 5.5 }],
    ['POST', '/api/admin/qr-sessions', { event_id: ev.id, ttl_seconds: '60' }],
    ['POST', `/api/admin/qr-sessions/${qr.id}/revoke`, { x: 1 }],
    ['DELETE', `/api/admin/events/${ev.id}`, {}],
  ]
  for (const [method, url, payload] of reqs) {
    const r = await app.inject({ method: method as 'GET', url, headers: h, ...(payload !== undefined ? { payload: payload as object } : {}) })
    t.comment(method, url.slice(0, 70), JSON.stringify(payload)?.slice(0, 80), '→', r.statusCode, r.body.slice(0, 140))
  }
  const m = await app.inject({ method: 'POST', url: '/api/attendance/mark', headers: { ...bearer(st.access_token), 'content-type': 'application/json' }, payload: '{"qr_payload":"' + qr.payload + '","location":{"lat":1e400,"lng":0,"accuracy_m":1}}' })
  t.comment('mark 1e400', m.statusCode, m.body.slice(0, 140))
  const m2 = await app.inject({ method: 'POST', url: '/api/attendance/mark', headers: { ...bearer(st.access_token), 'content-type': 'application/json' }, payload: '{"qr_payload":"' + qr.payload + '","qr_payload":"x"}' })
  t.comment('mark dup key', m2.statusCode, m2.body.slice(0, 140))
  const m3 = await app.inject({ method: 'POST', url: '/api/attendance/mark', headers: { ...bearer(st.access_token), 'content-type': 'application/json' }, payload: '{"__proto__":{"x":1},"qr_payload":"' + qr.payload + '"}' })
  t.comment('mark proto', m3.statusCode, m3.body.slice(0, 140))
  t.pass()
})
