import t from 'tap'
import type { AttendanceMarked, AttendanceRejected } from '../../../src/domain/attendance/events'
import { attendanceProjection } from '../../../src/projections/attendance/attendance-records'
import { projection } from '../../helpers/projection-spec'

const EID = '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e'
const SID = '0b6f4a52-8d43-4c2e-9a51-3f1d2c7e9b10'
const USER = 'b0b0b0b0-0000-4000-8000-000000000009'

const marked = (location: AttendanceMarked['data']['location']): AttendanceMarked => ({
  type: 'AttendanceMarked',
  data: {
    attendance_id: 'c0c0c0c0-0000-4000-8000-00000000000c',
    club_event_id: EID,
    user_id: USER,
    qr_session_id: SID,
    nonce: 'q3Zb8yL0cX1r9TfW2mKp4A',
    marked_at: '2025-03-01T12:00:10.000Z',
    location,
  },
})
const row = {
  id: 'c0c0c0c0-0000-4000-8000-00000000000c',
  club_event_id: EID,
  user_id: USER,
  qr_session_id: SID,
  marked_at: '2025-03-01T12:00:10.000Z',
  location: null,
}

t.test('a mark is one row: who, which club event, with which QR session, when', async (t) => {
  projection(t, attendanceProjection)
    .given([marked(null)])
    .then({ attendance_records: [row] })
})

t.test('a mark made with a location keeps it', async (t) => {
  const location = { lat: 52.52, lng: 13.405, accuracy_m: 12 }
  projection(t, attendanceProjection)
    .given([marked(location)])
    .then({ attendance_records: [{ ...row, location }] })
})

t.test('a refused mark is no attendance', async (t) => {
  const rejected: AttendanceRejected = {
    type: 'AttendanceRejected',
    data: {
      club_event_id: EID,
      user_id: USER,
      qr_session_id: SID,
      reason: 'qr_expired',
      detail: 'expired',
      rejected_at: '2025-03-01T12:02:00.000Z',
    },
  }
  projection(t, attendanceProjection).given([rejected]).then({ attendance_records: [] })
})
