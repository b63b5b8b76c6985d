import t from 'tap'
import type { AttendanceMarked, AttendanceRejected } from '../../../src/domain/attendance/events'
import { memberMarksProjection } from '../../../src/projections/attendance/member-marks'
import { projection } from '../../helpers/projection-spec'

const ADA = 'b0b0b0b0-0000-4000-8000-000000000009'
const BO = 'b0b0b0b0-0000-4000-8000-00000000000a'

const marked = (user: string, n: number): AttendanceMarked => ({
  type: 'AttendanceMarked',
  data: {
    attendance_id: `c0c0c0c0-0000-4000-8000-${String(n).padStart(12, '0')}`,
    club_event_id: `7c1e2d3f-4a5b-4c6d-8e7f-${String(n).padStart(12, '0')}`,
    user_id: user,
    qr_session_id: '0b6f4a52-8d43-4c2e-9a51-3f1d2c7e9b10',
    nonce: `nonce-${n}`,
    marked_at: '2025-03-01T12:00:10.000Z',
    location: null,
  },
})

t.test('a member’s first mark counts one', async (t) => {
  projection(t, memberMarksProjection)
    .given([marked(ADA, 1)])
    .then({ member_marks: [{ user_id: ADA, marks: 1 }] })
})

t.test('each mark adds one to its own member', async (t) => {
  projection(t, memberMarksProjection)
    .given([marked(ADA, 1), marked(BO, 2), marked(ADA, 3), marked(ADA, 4)])
    .then({
      member_marks: [
        { user_id: ADA, marks: 3 },
        { user_id: BO, marks: 1 },
      ],
    })
})

t.test('a refused mark counts nothing', async (t) => {
  const rejected: AttendanceRejected = {
    type: 'AttendanceRejected',
    data: {
      club_event_id: '7c1e2d3f-4a5b-4c6d-8e7f-901a2b3c4d5e',
      user_id: ADA,
      qr_session_id: '0b6f4a52-8d43-4c2e-9a51-3f1d2c7e9b10',
      reason: 'qr_expired',
      detail: 'expired',
      rejected_at: '2025-03-01T12:02:00.000Z',
    },
  }
  projection(t, memberMarksProjection).given([rejected]).then({ member_marks: [] })
})
