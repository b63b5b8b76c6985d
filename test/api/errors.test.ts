import t from 'tap'
import { REFUSAL_STATUS } from '../../src/api/errors'

// moved from test/domain/attendance/check-mark.test.ts: statuses are the API's, not the domain's
t.test('every refusal code has its HTTP status', async (t) => {
  const attendance = [
    'qr_invalid',
    'qr_expired',
    'qr_revoked',
    'event_not_found',
    'already_marked',
    'validation_error',
    'location_required',
    'location_inaccurate',
    'outside_geofence',
  ] as const
  t.same(Object.fromEntries(attendance.map((c) => [c, REFUSAL_STATUS[c]])), {
    qr_invalid: 400,
    qr_expired: 410,
    qr_revoked: 410,
    event_not_found: 404,
    already_marked: 409,
    validation_error: 400,
    location_required: 400,
    location_inaccurate: 400,
    outside_geofence: 403,
  })
})

t.test('every refusal is a client error: 4xx, never 5xx', async (t) => {
  for (const [code, status] of Object.entries(REFUSAL_STATUS)) t.ok(status >= 400 && status < 500, `${code}: ${status}`)
})
