import t from 'tap'
import { resourcesProjection } from '../../../src/projections/resources/resources'
import { projection } from '../../helpers/projection-spec'

const RID = '5a5a5a5a-0000-4000-8000-000000000001'
const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'
const MEMBER = 'b0b0b0b0-0000-4000-8000-000000000002'

const uploaded = {
  type: 'ResourceUploaded',
  data: {
    resource_id: RID,
    title: 'Pandas notes',
    description: null,
    club_event_id: null,
    uploaded_by: ADMIN,
    uploaded_at: '2025-03-01T12:00:00.000Z',
    file_name: 'pandas.pdf',
    content_type: 'application/pdf',
    size: 1234,
    sha256: 'ab'.repeat(32),
  },
}
const row = {
  id: RID,
  title: 'Pandas notes',
  description: null,
  file_name: 'pandas.pdf',
  content_type: 'application/pdf',
  size: 1234,
  sha256: 'ab'.repeat(32),
  club_event_id: null,
  uploaded_by: ADMIN,
  uploaded_at: '2025-03-01T12:00:00.000Z',
  deleted_at: null,
  deleted_by: null,
  downloads: 0,
}

t.test('an upload is a row with the facts of its file', async (t) => {
  projection(t, resourcesProjection)
    .given([uploaded])
    .then({ resources: [row] })
})

t.test('each download counts; a deletion keeps the row with who and when', async (t) => {
  const download = {
    type: 'ResourceDownloaded',
    data: { resource_id: RID, downloaded_by: MEMBER, downloaded_at: '2025-03-01T12:05:00.000Z' },
  }
  projection(t, resourcesProjection)
    .given([
      uploaded,
      download,
      download,
      {
        type: 'ResourceDeleted',
        data: { resource_id: RID, deleted_by: ADMIN, deleted_at: '2025-03-02T09:00:00.000Z' },
      },
    ])
    .then({ resources: [{ ...row, downloads: 2, deleted_at: '2025-03-02T09:00:00.000Z', deleted_by: ADMIN }] })
})
