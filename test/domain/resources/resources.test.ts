import { randomBytes } from 'node:crypto'
import t from 'tap'
import { attachment } from '../../../src/api/resources/content-disposition'
import { humanSize } from '../../../src/api/resources/club-shapes'
import { classify } from '../../../src/domain/audit/actions'
import { type ResourceCommand, type UploadResource, resourceDecider } from '../../../src/domain/resources/decide'
import { signDownload, verifyDownload } from '../../../src/domain/resources/download-link'
import type {
  ResourceDeleted,
  ResourceDownloaded,
  ResourceEvent,
  ResourceUploaded,
} from '../../../src/domain/resources/events'
import { FILE_NAME_MAX_BYTES, sanitiseFileName } from '../../../src/domain/resources/file-name'
import { allowedFileType } from '../../../src/domain/resources/file-types'
import { resourcesProjection } from '../../../src/projections/resources/resources'
import { given } from '../../helpers/decider'
import { projection } from '../../helpers/projection-spec'

/** The resources slice without a database: decider, file rules, link signing, read model, audit names. */
const ID = '5d0c6f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f'
const ADMIN = 'a0a0a0a0-0000-4000-8000-000000000001'
const MEMBER = 'b0b0b0b0-0000-4000-8000-000000000002'
const CLUB_EVENT = 'c0c0c0c0-0000-4000-8000-000000000003'
const NOW = new Date('2025-03-01T12:00:00.000Z')
const metadata = { actor_id: ADMIN, now: NOW }
const SHA = 'ab'.repeat(32)

const upload = (data: Partial<UploadResource['data']> = {}): UploadResource => ({
  type: 'UploadResource',
  data: {
    resource_id: ID,
    title: '  Intro to pandas ',
    description: '',
    file: { file_name: 'intro.pdf', content_type: 'application/pdf', size: 1234, sha256: SHA },
    club_event_id: null,
    club_event_exists: false,
    max_bytes: 2000,
    ...data,
  },
  metadata,
})
const remove: ResourceCommand = { type: 'DeleteResource', data: { resource_id: ID }, metadata }

const uploaded: ResourceUploaded = {
  type: 'ResourceUploaded',
  data: {
    resource_id: ID,
    title: 'Intro to pandas',
    description: null,
    file_name: 'intro.pdf',
    content_type: 'application/pdf',
    size: 1234,
    sha256: SHA,
    club_event_id: null,
    uploaded_by: ADMIN,
    uploaded_at: NOW.toISOString(),
  },
}
const deleted: ResourceDeleted = {
  type: 'ResourceDeleted',
  data: { resource_id: ID, deleted_by: ADMIN, deleted_at: NOW.toISOString() },
}

t.test('the decider', async (t) => {
  given(t, resourceDecider, []).when(upload()).then([uploaded], 'an upload: trimmed title, blank description is none')
  given(t, resourceDecider, [uploaded]).when(upload()).thenThrows('already_exists')
  given(t, resourceDecider, [])
    .when(upload({ title: ' ' }))
    .thenThrows('validation_error', 'a blank title')
  given(t, resourceDecider, [])
    .when(upload({ title: 'a\nb' }))
    .thenThrows('validation_error', 'a two-line title')
  given(t, resourceDecider, [])
    .when(upload({ description: 'x'.repeat(2001) }))
    .thenThrows('validation_error', 'a description over 2,000 characters')
  const file = upload().data.file
  given(t, resourceDecider, [])
    .when(upload({ file: { ...file, size: 2001 } }))
    .thenThrows('file_too_large', 'one byte over max_bytes')
  t.equal(
    given(t, resourceDecider, [])
      .when(upload({ file: { ...file, size: 2000 } }))
      .events().length,
    1,
    'exactly max_bytes passes',
  )
  given(t, resourceDecider, [])
    .when(upload({ file: { ...file, size: 0 } }))
    .thenThrows('empty_file')
  given(t, resourceDecider, [])
    .when(upload({ file: { ...file, content_type: 'text/html' } }))
    .thenThrows('file_type_not_allowed', 'a type the extension does not take')
  given(t, resourceDecider, [])
    .when(upload({ file: { ...file, sha256: 'nope' } }))
    .thenThrows('validation_error', 'a digest that is none')
  given(t, resourceDecider, [])
    .when(upload({ club_event_id: CLUB_EVENT }))
    .thenThrows('event_not_found', 'a club event its stream does not show')
  const forEvent = given(t, resourceDecider, [])
    .when(upload({ club_event_id: CLUB_EVENT, club_event_exists: true, file: { ...file, file_name: '../a.pdf' } }))
    .events()
  t.match(forEvent, [{ data: { club_event_id: CLUB_EVENT, file_name: 'a.pdf' } }], 'a name is sanitised again')

  given(t, resourceDecider, [uploaded]).when(remove).then([deleted])
  given(t, resourceDecider, [uploaded, deleted]).when(remove).thenThrows('not_found', 'a second delete')
  given(t, resourceDecider, []).when(remove).thenThrows('not_found', 'an unknown resource')
  given(t, resourceDecider, [uploaded, deleted])
    .when(upload())
    .thenThrows('already_exists', 'no upload over a deleted one')
})

t.test('file names: the basename, nothing invisible, never hidden, at most 200 bytes', async (t) => {
  const cases: [string, string][] = [
    ['../../x.txt', 'x.txt'],
    ['..\\..\\windows\\x.txt', 'x.txt'],
    ['/etc/passwd', 'passwd'],
    ['C:\\Users\\ada\\notes.pdf', 'notes.pdf'],
    ['..', ''],
    ['../', ''],
    ['.bashrc', 'bashrc'],
    ['  spaced   out .md  ', 'spaced out .md'],
    ['report.pdf.', 'report.pdf'],
    ['a\u0000b\u0007c.txt', 'abc.txt'],
    ['invoice\u202Etxt.exe', 'invoicetxt.exe'],
    ['zero\u200Bwidth.txt', 'zerowidth.txt'],
    ['what?<now>*.txt', 'what__now__.txt'],
    ['Re\u0301sume\u0301.pdf', 'Résumé.pdf'],
    ['\ud800lone.txt', 'lone.txt'],
  ]
  for (const [raw, want] of cases) t.equal(sanitiseFileName(raw), want, JSON.stringify(raw))
  const long = sanitiseFileName(`${'é'.repeat(300)}.ipynb`)
  t.ok(Buffer.byteLength(long) <= FILE_NAME_MAX_BYTES, `capped (${Buffer.byteLength(long)} bytes)`)
  t.ok(long.endsWith('é.ipynb'), 'keeping the extension, cutting whole characters')
  t.equal(sanitiseFileName(sanitiseFileName('../../a b .txt')), 'a b .txt', 'idempotent')
})

t.test('the allowlist: extension and declared type must agree; the served type is canonical', async (t) => {
  const ok: [string, string, string][] = [
    ['a.pdf', 'application/pdf', 'application/pdf'],
    ['a.PDF', 'Application/PDF; name=x', 'application/pdf'],
    ['a.jpg', 'image/jpeg', 'image/jpeg'],
    ['a.csv', 'application/vnd.ms-excel', 'text/csv'],
    ['a.md', 'application/octet-stream', 'text/markdown'],
    ['a.py', 'text/plain', 'text/x-python'],
    ['a.ipynb', 'application/json', 'application/x-ipynb+json'],
    ['talk.mp4', 'video/mp4', 'video/mp4'],
  ]
  for (const [name, declared, served] of ok) t.equal(allowedFileType(name, declared).content_type, served, name)
  const refused: [string, string][] = [
    ['a.exe', 'application/octet-stream'],
    ['a.html', 'text/html'],
    ['a.svg', 'image/svg+xml'],
    ['a.pdf', 'text/html'],
    ['a.pdf', 'application/octet-stream'],
    ['a.png', 'image/jpeg'],
    ['noextension', 'text/plain'],
    ['a.toString', 'text/plain'],
    ['a.__proto__', 'text/plain'],
  ]
  for (const [name, declared] of refused)
    t.throws(() => allowedFileType(name, declared), { code: 'file_type_not_allowed' }, `${name} as ${declared}`)
})

t.test('download links: signed for one resource, one member, one expiry', async (t) => {
  const key = randomBytes(32)
  const link = { resource_id: ID, user_id: MEMBER, exp: 1_000_000 }
  const sig = signDownload(key, link)
  t.equal(verifyDownload(key, link, sig, 999_999), 'ok')
  t.equal(verifyDownload(key, link, sig, 1_000_000), 'ok', 'valid through its last second')
  t.equal(verifyDownload(key, link, sig, 1_000_001), 'expired')
  t.equal(verifyDownload(key, { ...link, user_id: ADMIN }, sig, 0), 'invalid', 'another member')
  t.equal(verifyDownload(key, { ...link, resource_id: CLUB_EVENT }, sig, 0), 'invalid', 'another resource')
  t.equal(verifyDownload(key, { ...link, exp: 2_000_000 }, sig, 0), 'invalid', 'a later expiry')
  t.equal(verifyDownload(randomBytes(32), link, sig, 0), 'invalid', 'another key')
  t.equal(verifyDownload(key, link, sig, 2_000_000), 'expired', 'expired only once the signature holds')
  t.equal(verifyDownload(randomBytes(32), link, sig, 2_000_000), 'invalid', 'a forged one is invalid, not expired')
  for (const bad of ['', 'x', sig.slice(0, -1), `${sig}A`, `${sig.slice(0, -1)}=`, sig.replace(/./, '+')])
    t.equal(verifyDownload(key, link, bad, 0), 'invalid', JSON.stringify(bad))
  // the last of 43 characters carries 2 spare bits: another spelling of the same bytes is still refused
  const last = sig.at(-1)!
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const twin = alphabet[alphabet.indexOf(last) ^ 1]!
  t.equal(verifyDownload(key, link, sig.slice(0, -1) + twin, 0), 'invalid', 'one spelling only')
})

t.test('the read model: a row per upload, a running download count, deletions kept', async (t) => {
  const downloaded: ResourceDownloaded = {
    type: 'ResourceDownloaded',
    data: { resource_id: ID, downloaded_by: MEMBER, downloaded_at: NOW.toISOString() },
  }
  const row = {
    id: ID,
    title: 'Intro to pandas',
    description: null,
    file_name: 'intro.pdf',
    content_type: 'application/pdf',
    size: 1234,
    sha256: SHA,
    club_event_id: null,
    uploaded_by: ADMIN,
    uploaded_at: NOW.toISOString(),
    deleted_at: null,
    deleted_by: null,
    downloads: 0,
  }
  projection(t, resourcesProjection)
    .given([uploaded])
    .then({ resources: [row] })
  projection(t, resourcesProjection)
    .given([uploaded, downloaded, downloaded, deleted])
    .then({ resources: [{ ...row, downloads: 2, deleted_at: NOW.toISOString(), deleted_by: ADMIN }] })
})

t.test('the audit log names them', async (t) => {
  const events: (ResourceEvent | ResourceDownloaded)[] = [
    uploaded,
    deleted,
    { type: 'ResourceDownloaded', data: { resource_id: ID, downloaded_by: MEMBER, downloaded_at: '' } },
  ]
  t.same(
    events.map((e) => classify(e)),
    ['resource_uploaded', 'resource_deleted', 'resource_downloaded'].map((action) => ({
      outcome: 'success',
      action,
      target_type: 'resource',
      target_id: ID,
    })),
  )
})

t.test('what a download says about its file', async (t) => {
  t.equal(attachment('notes.pdf'), `attachment; filename="notes.pdf"; filename*=UTF-8''notes.pdf`)
  t.equal(
    attachment('Résumé "v2" 100%.md'),
    `attachment; filename="R_sum_ _v2_ 100_.md"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22v2%22%20100%25.md`,
    'an ASCII fallback without quotes, and the exact name encoded',
  )
  t.equal(attachment("it's (x)*.txt"), `attachment; filename="it's (x)*.txt"; filename*=UTF-8''it%27s%20%28x%29%2A.txt`)
  t.same([0, 1023, 1024, 1536, 1024 * 1024, 2.5 * 1024 * 1024].map(humanSize), [
    '0 B',
    '1023 B',
    '1.0 KB',
    '1.5 KB',
    '1.0 MB',
    '2.5 MB',
  ])
})
