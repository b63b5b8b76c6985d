import { createHash, randomBytes, randomUUID } from 'node:crypto'
import fc from 'fast-check'
import http from 'node:http'
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { openDb } from '../../../src/db/connection'
import { migrateBlobStore } from '../../../src/db/migrate'
import { resourceDownloadsStream, resourceStream } from '../../../src/domain/resources/events'
import { signDownload } from '../../../src/domain/resources/download-link'
import { projectionConsumer } from '../../../src/projections/apply'
import { resourcesProjection } from '../../../src/projections/resources/resources'
import { resetConsumer } from '../../../src/projections/runner'
import { createLogger } from '../../../src/platform/logger'
import { SqlBlobStore } from '../../../src/store/postgres/sql-blob-store'
import { createEvent } from '../../helpers/attendance'
import { eventually } from '../../helpers/eventually'
import { hostileText } from '../../helpers/fuzz/values'
import { adminSession, bearer, member } from '../../helpers/identity'
import { testApp } from '../../helpers/runtime'

/**
 * Study resources over HTTP, ours and the club's shapes: uploads stream into
 * PostgreSQL and come back byte for byte; every refusal leaves no bytes and
 * no event behind. RESOURCE_MAX_BYTES is 64 KiB here, so limits are cheap.
 */
const MAX = 64 * 1024

type Part = { name: string; value: string } | { name: string; filename: string; type: string; data: Buffer }

/** A multipart body as a browser's FormData sends it. */
function form(parts: Part[]) {
  const boundary = `----resourceform${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const p of parts) {
    const head =
      'data' in p
        ? `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type}`
        : `Content-Disposition: form-data; name="${p.name}"`
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`), 'data' in p ? p.data : Buffer.from(p.value))
    chunks.push(Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

const file = (data: Buffer, filename = 'notes.txt', type = 'text/plain'): Part => ({
  name: 'file',
  filename,
  type,
  data,
})
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

interface ResourceBody {
  id: string
  title: string
  description: string | null
  file_name: string
  content_type: string
  size: number
  sha256: string
  club_event_id: string | null
  uploaded_by: string
  uploaded_by_name: string | null
  downloads: number
  url: string
  url_expires_at: string
}

t.test('study resources', async (t) => {
  // what the service logs at info, searched for the links' signatures
  const logged: string[] = []
  const logger = createLogger({ logLevel: 'info' }, 'dscp', { write: (line: string) => void logged.push(line) })
  const { app, runtime } = await testApp(t, {
    logger,
    env: {
      RESOURCE_MAX_BYTES: String(MAX),
      RATE_LIMIT_ENABLED: 'false',
      // two shared cores: a read waits for the caller's own write longer than the default 2 s if it must
      READ_YOUR_WRITES_TIMEOUT_MS: '10000',
    },
  })
  const db = runtime.db.kysely
  const admin = await adminSession(app, runtime)
  const student = await member(app, runtime, admin, 'student')
  const asAdmin = bearer(admin.access_token)
  const asStudent = bearer(student.access_token)

  const upload = (parts: Part[], headers = asAdmin, url = '/api/admin/resources') => {
    const f = form(parts)
    return app.inject({ method: 'POST', url, headers: { ...headers, ...f.headers }, payload: f.payload })
  }
  const uploaded = async (parts: Part[], url?: string) => {
    const res = await upload(parts, asAdmin, url)
    if (res.statusCode !== 201) throw new Error(`upload ${res.statusCode} ${res.body}`)
    return res.json().resource as ResourceBody
  }
  const list = async (query = 'limit=100', headers = asStudent) => {
    const res = await app.inject({ method: 'GET', url: `/api/resources?${query}`, headers })
    if (res.statusCode !== 200) throw new Error(`list ${res.statusCode} ${res.body}`)
    return res.json() as { items: ResourceBody[]; next_cursor: string | null }
  }
  /** another member reads what the projection has: a moment after the upload */
  const listedFor = async (id: string, headers = asStudent) => {
    let found: ResourceBody | undefined
    await eventually(async () => !!(found = (await list('limit=100', headers)).items.find((i) => i.id === id)))
    return found!
  }
  const fetchUrl = (url: string) => app.inject({ method: 'GET', url })
  /** what an upload may leave behind: bytes, upload marks, resource events */
  const stored = async () => {
    const { rows } = await sql<{ chunks: number; marks: number; events: number }>`
      SELECT (SELECT count(*)::int FROM blob_chunks) AS chunks,
             (SELECT count(*)::int FROM blob_uploads) AS marks,
             (SELECT count(*)::int FROM es_events WHERE type IN ('ResourceUploaded', 'ResourceDeleted')) AS events`.execute(
      db,
    )
    return rows[0]!
  }
  const nothingStored = async (t: Test, before: Awaited<ReturnType<typeof stored>>, what: string) =>
    t.same(await stored(), before, `${what}: no bytes, no upload mark, no event`)

  await t.test('an admin uploads; members list it and download the same bytes', async (t) => {
    const clubEvent = await createEvent(app, admin, { title: 'Pandas night' })
    const data = randomBytes(40_000)
    const r = await uploaded([
      { name: 'title', value: '  Pandas cheat sheet ' },
      file(data, 'cheat sheet.PDF', 'application/pdf'),
      { name: 'description', value: 'Two pages\nof tips' },
      { name: 'club_event_id', value: clubEvent.id },
    ])
    t.match(r, {
      title: 'Pandas cheat sheet',
      description: 'Two pages\nof tips',
      file_name: 'cheat sheet.PDF',
      content_type: 'application/pdf',
      size: data.length,
      sha256: sha256(data),
      club_event_id: clubEvent.id,
      uploaded_by: admin.user.id,
      downloads: 0,
    })
    const events = await runtime.store.readStream(resourceStream(r.id))
    t.same(
      events.map((e) => e.type),
      ['ResourceUploaded'],
    )
    t.equal((events[0]!.data as { sha256: string }).sha256, sha256(data), 'the event holds the bytes’ SHA-256')
    t.equal((await stored()).marks, 0, 'the upload is settled')

    const listed = await listedFor(r.id)
    t.match(listed, { title: 'Pandas cheat sheet', size: data.length, uploaded_by_name: String })
    const mine = await list(`limit=10&club_event_id=${clubEvent.id}`)
    t.same(
      mine.items.map((i) => i.id),
      [r.id],
      'filtered by club event',
    )

    const res = await fetchUrl(listed.url)
    t.equal(res.statusCode, 200, 'the signed link downloads without a bearer token')
    t.equal(sha256(res.rawPayload), sha256(data), 'byte for byte what was uploaded')
    t.match(res.headers, {
      'content-type': 'application/pdf',
      'content-length': String(data.length),
      'content-disposition': `attachment; filename="cheat sheet.PDF"; filename*=UTF-8''cheat%20sheet.PDF`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    })
    t.notOk(res.headers['consistency-token'], 'a download writes nothing the reader must wait for')
    const recorded = await runtime.store.readStream(resourceDownloadsStream(r.id))
    t.match(recorded, [{ type: 'ResourceDownloaded', metadata: { actor_id: student.user.id } }])
    await eventually(async () => (await list()).items.find((i) => i.id === r.id)?.downloads === 1)
  })

  await t.test("the club's calls: list as a bare array, upload 200, delete 200 (F26-F28, C30-C32)", async (t) => {
    const clubEvent = await createEvent(app, admin, { title: 'Viz club' })
    const data = Buffer.from('Test file content for C31 upload')
    const res = await upload(
      [
        file(data, 'test_file.txt', 'text/plain'),
        { name: 'title', value: 'Test Resource' },
        { name: 'description', value: 'Test description' },
        { name: 'event_id', value: clubEvent.id },
      ],
      asAdmin,
      '/api/resources/upload',
    )
    t.equal(res.statusCode, 200, 'exactly 200 (C31)')
    const row = res.json()
    t.match(row, {
      id: /^[0-9a-f-]{36}$/,
      title: 'Test Resource',
      event_id: clubEvent.id,
      file_name: 'test_file.txt',
      type: 'document',
      category: 'Text',
      size: `${data.length} B`,
      size_bytes: data.length,
      downloads: 0,
      views: 0,
      uploaded_by_name: String,
      url: /^\/api\/resources\/.+\/download\?uid=.+&exp=\d+&sig=/,
    })
    for (const url of ['/api/resources/', `/api/resources/?event_id=${clubEvent.id}`, '/api/resources']) {
      const got = await app.inject({ method: 'GET', url, headers: asAdmin })
      t.equal(got.statusCode, 200, `GET ${url} (C30, A21)`)
      const body = got.json()
      t.ok(Array.isArray(body), `${url}: a bare array`)
      t.match(
        body.find((x: { id: string }) => x.id === row.id),
        { title: 'Test Resource', uploaded_at: String, created_at: String, downloads: 0, type: 'document' },
      )
    }
    const other = await app.inject({ method: 'GET', url: `/api/resources/?event_id=${randomUUID()}`, headers: asAdmin })
    t.same(other.json(), [], 'another club event has none')
    const gone = await app.inject({ method: 'DELETE', url: `/api/resources/${row.id}`, headers: asAdmin })
    t.equal(gone.statusCode, 200, 'C32')
    t.match(gone.json(), { message: String })
    const again = await app.inject({ method: 'DELETE', url: `/api/resources/${row.id}`, headers: asAdmin })
    t.match({ s: again.statusCode, ...again.json() }, { s: 404, code: 'not_found', detail: String })
    const listed = (await app.inject({ method: 'GET', url: '/api/resources', headers: asAdmin })).json()
    t.notOk(
      listed.some((x: { id: string }) => x.id === row.id),
      'gone from the list at once (read your writes)',
    )
  })

  await t.test('the size limit: exactly RESOURCE_MAX_BYTES passes, one byte more leaves nothing', async (t) => {
    const atLimit = randomBytes(MAX)
    const r = await uploaded([{ name: 'title', value: 'At the limit' }, file(atLimit, 'limit.zip', 'application/zip')])
    t.equal(r.size, MAX)
    t.equal(sha256((await fetchUrl(r.url)).rawPayload), sha256(atLimit), 'downloaded whole')

    const before = await stored()
    const over = await upload([
      { name: 'title', value: 'Over' },
      file(randomBytes(MAX + 1), 'over.zip', 'application/zip'),
    ])
    t.match({ s: over.statusCode, ...over.json() }, { s: 413, code: 'file_too_large', detail: String, max_bytes: MAX })
    await nothingStored(t, before, 'one byte over')
    const empty = await upload([{ name: 'title', value: 'Empty' }, file(Buffer.alloc(0))])
    t.match({ s: empty.statusCode, ...empty.json() }, { s: 400, code: 'empty_file' })
    await nothingStored(t, before, 'an empty file')
  })

  await t.test('over the limit over a real socket: refused early, by Content-Length or as it streams', async (t) => {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const port = (app.server.address() as { port: number }).port
    const before = await stored()
    /** sends the head of a body and waits for the answer, never sending the rest */
    const early = (headers: Record<string, string>, head: Buffer) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({
          port,
          method: 'POST',
          path: '/api/admin/resources',
          headers: { ...asAdmin, ...headers },
        })
        req.on('response', (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c.toString()))
          res.on('end', () => {
            resolve({ status: res.statusCode!, body })
            req.destroy()
          })
        })
        req.on('error', reject)
        req.write(head)
      })
    const f = form([{ name: 'title', value: 'Huge' }, file(randomBytes(MAX * 3), 'huge.mp4', 'video/mp4')])
    const declared = await early(
      { ...f.headers, 'content-length': String(100 * 1024 * 1024) },
      f.payload.subarray(0, 1024),
    )
    t.match(
      { s: declared.status, ...JSON.parse(declared.body) },
      { s: 413, code: 'file_too_large' },
      'a Content-Length over the limit: refused with only 1 KiB of 100 MiB sent',
    )
    const streamed = await early({ ...f.headers, 'transfer-encoding': 'chunked' }, f.payload.subarray(0, MAX * 2))
    t.match(
      { s: streamed.status, ...JSON.parse(streamed.body) },
      { s: 413, code: 'file_too_large' },
      'no Content-Length: refused once the stream passed the limit, the rest never sent',
    )
    await eventually(async () => (await stored()).chunks === before.chunks)
    await nothingStored(t, before, 'both')
  })

  await t.test('types, names and duplicates', async (t) => {
    const before = await stored()
    for (const [name, type] of [
      ['setup.exe', 'application/octet-stream'],
      ['page.html', 'text/html'],
      ['notes.pdf', 'text/html'],
      ['report.pdf', 'application/octet-stream'],
      ['README', 'text/plain'],
      ['x.constructor', 'text/plain'],
    ] as const) {
      const res = await upload([{ name: 'title', value: 'Refused' }, file(Buffer.from('MZ'), name, type)])
      t.match(
        { s: res.statusCode, ...res.json() },
        { s: 415, code: 'file_type_not_allowed', detail: String },
        `${name} as ${type}`,
      )
    }
    await nothingStored(t, before, 'refused types')

    const notebook = await uploaded([
      { name: 'title', value: 'Notebook' },
      file(Buffer.from('{"cells": []}'), 'lesson.ipynb', 'application/octet-stream'),
    ])
    t.equal(notebook.content_type, 'application/x-ipynb+json', 'served as the canonical type, not as declared')

    const data = Buffer.from('not a path\n')
    const escaped = await uploaded([{ name: 'title', value: 'Traversal' }, file(data, '../../x.txt')])
    t.equal(escaped.file_name, 'x.txt', '../../x.txt is stored as x.txt')
    const windows = await uploaded([{ name: 'title', value: 'Traversal' }, file(data, '..\\..\\secret\u202e.txt')])
    t.equal(windows.file_name, 'secret.txt', 'backslashes and a bidi override go too')

    const first = await uploaded([{ name: 'title', value: 'Same name' }, file(Buffer.from('first\n'), 'x.txt')])
    const second = await uploaded([{ name: 'title', value: 'Same name' }, file(Buffer.from('second\n'), 'x.txt')])
    t.not(first.id, second.id, 'a duplicate name is another resource')
    t.equal((await fetchUrl(first.url)).body, 'first\n', 'and overwrites nothing')
    t.equal((await fetchUrl(second.url)).body, 'second\n')

    // a browser sends the name's UTF-8 bytes as they are
    const unicode = await uploaded([{ name: 'title', value: 'Unicode' }, file(data, 'Résumé (v2).md', 'text/markdown')])
    t.equal(unicode.file_name, 'Résumé (v2).md')
    t.equal(
      (await fetchUrl(unicode.url)).headers['content-disposition'],
      `attachment; filename="R_sum_ (v2).md"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%28v2%29.md`,
    )
  })

  await t.test('bad forms: a 4xx with a code and a detail, and nothing stored', async (t) => {
    const before = await stored()
    const txt = file(Buffer.from('hello\n'))
    const title = { name: 'title', value: 'A title' }
    const cases: [string, () => ReturnType<typeof upload>, number, string][] = [
      ['no file part', () => upload([title]), 400, 'validation_error'],
      [
        'a file sent as a plain field',
        () => upload([title, { name: 'file', value: 'hello' }]),
        400,
        'validation_error',
      ],
      ['two files', () => upload([title, txt, file(Buffer.from('again'), 'b.txt')]), 400, 'invalid_form'],
      ['a file under another name', () => upload([title, { ...txt, name: 'upload' }]), 400, 'invalid_form'],
      ['no title', () => upload([txt]), 400, 'validation_error'],
      ['a blank title', () => upload([{ name: 'title', value: '   ' }, txt]), 400, 'validation_error'],
      [
        'a title of 201 characters',
        () => upload([{ name: 'title', value: 'x'.repeat(201) }, txt]),
        400,
        'validation_error',
      ],
      ['a title with a NUL', () => upload([{ name: 'title', value: 'a\u0000b' }, txt]), 400, 'validation_error'],
      [
        'a field over 16 KiB',
        () => upload([title, { name: 'description', value: 'x'.repeat(17_000) }, txt]),
        400,
        'invalid_form',
      ],
      ['a field twice', () => upload([title, title, txt]), 400, 'invalid_form'],
      [
        'a club event that is no uuid',
        () => upload([title, txt, { name: 'event_id', value: '12' }]),
        400,
        'validation_error',
      ],
      [
        'an unknown club event',
        () => upload([title, txt, { name: 'club_event_id', value: randomUUID() }]),
        404,
        'event_not_found',
      ],
      ['an empty name', () => upload([title, file(Buffer.from('x'), '../', 'text/plain')]), 400, 'validation_error'],
      [
        'JSON',
        () => app.inject({ method: 'POST', url: '/api/admin/resources', headers: asAdmin, payload: { title: 'x' } }),
        415,
        'unsupported_media_type',
      ],
      [
        'a form cut short',
        () => {
          const f = form([title, txt])
          return app.inject({
            method: 'POST',
            url: '/api/admin/resources',
            headers: { ...asAdmin, ...f.headers },
            payload: f.payload.subarray(0, f.payload.length - 40),
          })
        },
        400,
        'invalid_form',
      ],
      [
        'multipart without a boundary',
        () =>
          app.inject({
            method: 'POST',
            url: '/api/resources/upload',
            headers: { ...asAdmin, 'content-type': 'multipart/form-data' },
            payload: 'title=x',
          }),
        400,
        'invalid_form',
      ],
      [
        'text/plain',
        () =>
          app.inject({
            method: 'POST',
            url: '/api/resources/upload',
            headers: { ...asAdmin, 'content-type': 'text/plain' },
            payload: 'x',
          }),
        415,
        'unsupported_media_type',
      ],
    ]
    for (const [what, send, status, code] of cases) {
      const res = await send()
      const body = res.json()
      t.match({ s: res.statusCode, code: body.code }, { s: status, code }, what)
      t.ok(typeof body.detail === 'string' && body.detail.length > 0, `${what}: a detail`)
    }
    await nothingStored(t, before, 'every bad form')
  })

  await t.test('who may: students and strangers are refused before anything is read', async (t) => {
    const r = await uploaded([{ name: 'title', value: 'Kept' }, file(Buffer.from('kept'))])
    const before = await stored()
    for (const url of ['/api/admin/resources', '/api/resources/upload']) {
      const res = await upload([{ name: 'title', value: 'Mine' }, file(Buffer.from('x'))], asStudent, url)
      t.match({ s: res.statusCode, ...res.json() }, { s: 403, code: 'forbidden' }, `a student uploading to ${url}`)
    }
    for (const url of [`/api/admin/resources/${r.id}`, `/api/resources/${r.id}`]) {
      const res = await app.inject({ method: 'DELETE', url, headers: asStudent })
      t.match({ s: res.statusCode, ...res.json() }, { s: 403, code: 'forbidden' }, `a student deleting via ${url}`)
    }
    for (const url of ['/api/resources', '/api/resources/?limit=5']) {
      const res = await app.inject({ method: 'GET', url })
      t.match({ s: res.statusCode, ...res.json() }, { s: 401, code: 'unauthorized' }, `an anonymous ${url}`)
    }
    await nothingStored(t, before, 'the refused')
    t.equal((await fetchUrl(r.url)).statusCode, 200, 'the resource is untouched')
  })

  await t.test('download links: unsigned, tampered, expired, or for a member no more: refused', async (t) => {
    const data = Buffer.from('members only\n')
    const r = await uploaded([{ name: 'title', value: 'Members only' }, file(data)])
    const listed = await listedFor(r.id)
    const url = new URL(listed.url, 'http://x')
    const q = Object.fromEntries(url.searchParams)
    const link = (over: Record<string, string>, path = url.pathname) =>
      `${path}?${new URLSearchParams({ ...q, ...over })}`
    const refused = async (what: string, to: string, status: number, code: string) => {
      const res = await fetchUrl(to)
      t.match({ s: res.statusCode, ...res.json() }, { s: status, code, detail: String }, what)
    }
    await refused('no signature', url.pathname, 400, 'validation_error')
    const bearerOnly = await app.inject({ method: 'GET', url: url.pathname, headers: asStudent })
    t.match(
      { s: bearerOnly.statusCode, ...bearerOnly.json() },
      { s: 400, code: 'validation_error' },
      'a bearer token is no signature: downloads go through links',
    )
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1)
    await refused('a tampered signature', link({ sig: flip(q.sig!) }), 403, 'download_link_invalid')
    await refused(
      'a tampered last character',
      link({ sig: q.sig!.slice(0, -1) + (q.sig!.endsWith('A') ? 'B' : 'A') }),
      403,
      'download_link_invalid',
    )
    await refused('a later expiry', link({ exp: String(Number(q.exp) + 3600) }), 403, 'download_link_invalid')
    await refused('another member', link({ uid: admin.user.id }), 403, 'download_link_invalid')
    const other = await uploaded([{ name: 'title', value: 'Other' }, file(Buffer.from('other'))])
    await refused('another resource', link({}, `/api/resources/${other.id}/download`), 403, 'download_link_invalid')
    const key = runtime.resources.links.key
    const exp = Math.floor(Date.now() / 1000) - 1
    const sig = signDownload(key, { resource_id: r.id, user_id: student.user.id, exp })
    await refused('expired a second ago', link({ exp: String(exp), sig }), 403, 'download_link_expired')
    const head = await app.inject({ method: 'HEAD', url: listed.url })
    t.equal(head.statusCode, 405, 'HEAD is no download')
    t.equal(
      (await runtime.store.readStream(resourceDownloadsStream(r.id))).length,
      0,
      'no refused link counted as a download',
    )

    const leaving = await member(app, runtime, admin, 'student')
    const theirs = await listedFor(r.id, bearer(leaving.access_token))
    t.equal((await fetchUrl(theirs.url)).statusCode, 200, 'their link works')
    const off = await app.inject({
      method: 'POST',
      url: `/api/admin/users/${leaving.user.id}/deactivate`,
      headers: asAdmin,
      payload: {},
    })
    t.equal(off.statusCode, 204)
    await refused('a member deactivated since', theirs.url, 401, 'unauthorized')

    const log = logged.join('')
    t.ok(log.includes(`/api/resources/${r.id}/download?uid=`), 'downloads are logged')
    t.notOk(log.includes(q.sig!), 'without their signatures')
    t.match(log, /sig=\[redacted\]/)
  })

  await t.test('delete: the bytes are erased, the link stops, twenty at once make one event', async (t) => {
    const r = await uploaded([{ name: 'title', value: 'Short-lived' }, file(randomBytes(MAX))])
    const chunks = async () =>
      Number(
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM blob_chunks WHERE blob_id = ${r.id}`.execute(db))
          .rows[0]!.n,
      )
    t.ok((await chunks()) > 0, 'stored in chunks')
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.inject({
          method: 'DELETE',
          url: i % 2 ? `/api/admin/resources/${r.id}` : `/api/resources/${r.id}`,
          headers: asAdmin,
        }),
      ),
    )
    const statuses = answers.map((a) => a.statusCode)
    t.equal(statuses.filter((s) => s < 300).length, 1, `one delete wins (${statuses.join(' ')})`)
    t.equal(statuses.filter((s) => s === 404).length, 19, 'the rest: not_found')
    const events = await runtime.store.readStream(resourceStream(r.id))
    t.same(
      events.map((e) => e.type),
      ['ResourceUploaded', 'ResourceDeleted'],
      'one ResourceDeleted',
    )
    t.equal(await chunks(), 0, 'the bytes are erased')
    const res = await fetchUrl(r.url)
    t.match({ s: res.statusCode, ...res.json() }, { s: 404, code: 'not_found' }, 'its link is dead')
    // a member's list follows the admin's delete a moment later
    await eventually(async () => !(await list()).items.some((i) => i.id === r.id))
    t.pass('and it is off the list')
    const unknown = await app.inject({
      method: 'DELETE',
      url: `/api/admin/resources/${randomUUID()}`,
      headers: asAdmin,
    })
    t.match({ s: unknown.statusCode, ...unknown.json() }, { s: 404, code: 'not_found' })
  })

  await t.test('an upload cut off by a crash is swept later; one whose event was stored is kept', async (t) => {
    const keeper = await uploaded([{ name: 'title', value: 'Keeper' }, file(Buffer.from('keep me'))])
    const orphan = randomUUID()
    await sql`INSERT INTO blob_uploads (blob_id, started_at) VALUES (${orphan}, now() - interval '7 hours'),
                                                                      (${keeper.id}, now() - interval '7 hours')`.execute(
      db,
    )
    await sql`INSERT INTO blob_chunks (blob_id, seq, bytes) VALUES (${orphan}, 0, ${Buffer.from('half')})`.execute(db)
    await uploaded([{ name: 'title', value: 'Next upload' }, file(Buffer.from('next'))])
    const left = await sql<{
      blob_id: string
    }>`SELECT blob_id FROM blob_chunks WHERE blob_id IN (${orphan}, ${keeper.id})`.execute(db)
    t.same(
      left.rows.map((r) => r.blob_id),
      [keeper.id],
      'the orphan is erased, the recorded one kept',
    )
    t.equal((await stored()).marks, 0, 'both marks are gone')
    t.equal((await fetchUrl(keeper.url)).body, 'keep me')
  })

  await t.test('the upload form, fuzzed: never a 5xx, a refusal leaves nothing, a stored name is plain', async (t) => {
    const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
    t.comment(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`)
    // mostly what a member could well send, so that uploads pass as well as fail; hostile in every part now and then
    const text = (max: number) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('Notes', ' Week 3 ', 'Résumé ✓') },
        { weight: 1, arbitrary: hostileText(max) },
      )
    const stem = fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom('notes', 'Week 3 slides', 'Résumé', 'a'.repeat(250)) },
      { weight: 2, arbitrary: hostileText(60) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('../../x', '..', 'C:\\tmp\\a', '%2e%2e%2fx', 'a\u0000b', ' .hidden', 'x\u202etxt'),
      },
    )
    const kind = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          ['.txt', 'text/plain'],
          ['.pdf', 'application/pdf'],
          ['.md', 'application/octet-stream'],
          ['.PY', 'text/x-python'],
          ['.txt.', 'text/plain'],
        ),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(
          fc.constantFrom('.txt', '.pdf', '.exe', '', '.'),
          fc.oneof(hostileText(30), fc.constantFrom('text/html', 'TEXT/PLAIN; charset=x', '')),
        ),
      },
    )
    const name = fc.tuple(stem, kind).map(([s, [ext, type]]) => ({ name: s + ext, type }))
    const clubEvent = fc.option(fc.oneof(fc.uuid(), hostileText(40)), { nil: undefined, freq: 4 })
    const PLAIN = /^[^/\\\p{Cc}\p{Cf}]+$/u
    let accepted = 0
    const run = await fc.check(
      fc.asyncProperty(
        fc.record({
          file: name,
          title: text(250),
          description: fc.option(text(100), { nil: undefined }),
          clubEvent,
          size: fc.integer({ min: 0, max: 3000 }),
        }),
        async (c) => {
          const before = await stored()
          const parts: Part[] = [{ name: 'title', value: c.title }]
          if (c.description !== undefined) parts.push({ name: 'description', value: c.description })
          if (c.clubEvent !== undefined) parts.push({ name: 'event_id', value: c.clubEvent })
          // a browser escapes quotes and line breaks in a part's header
          const filename = c.file.name.replace(/["\r\n]/g, '_')
          parts.push(file(randomBytes(c.size), filename, c.file.type.replace(/[\r\n]/g, '')))
          const res = await upload(parts)
          const body = res.json()
          if (res.statusCode >= 500) throw new Error(`${res.statusCode} ${res.body}`)
          if (res.statusCode === 201) {
            accepted++
            const r = body.resource as ResourceBody
            if (!PLAIN.test(r.file_name) || Buffer.byteLength(r.file_name) > 200 || r.file_name.startsWith('.'))
              throw new Error(`stored name ${JSON.stringify(r.file_name)} from ${JSON.stringify(c.file.name)}`)
            if (r.size !== c.size) throw new Error(`size ${r.size} for ${c.size} bytes`)
            return
          }
          if (typeof body.code !== 'string' || typeof body.detail !== 'string' || !body.detail)
            throw new Error(`${res.statusCode} without a code and a detail: ${res.body}`)
          const after = await stored()
          if (JSON.stringify(after) !== JSON.stringify(before))
            throw new Error(
              `${res.statusCode} ${body.code}, yet stored ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
            )
        },
      ),
      { seed, numRuns: Number(process.env.FUZZ_RUNS ?? 60), endOnFailure: true },
    )
    if (run.failed) t.fail(`${String(fc.defaultReportMessage(run))}\nreplay: FUZZ_SEED=${seed}`)
    t.comment(`${accepted} of ${run.numRuns} uploads accepted`)
    t.pass('never a 5xx; every refusal with a code and a detail, and nothing stored')
  })

  await t.test('on PGlite, the embedded default: the same bytes in and out, nothing left by a refusal', async (t) => {
    // the blob store alone: the routes above are the same whatever database holds the chunks
    const lite = await openDb({ databaseUrl: undefined, dataDir: '', poolSize: 1, inMemory: true })
    t.teardown(() => lite.close())
    await migrateBlobStore(lite.kysely)
    const blobs = new SqlBlobStore(lite.pool)
    const data = randomBytes(600 * 1024 + 7)
    const pieces = async function* (b: Buffer) {
      for (let at = 0; at < b.length; at += 50_000) yield b.subarray(at, at + 50_000)
    }
    const id = randomUUID()
    const written = await blobs.write(id, pieces(data), { maxBytes: data.length })
    t.same(written, { size: data.length, sha256: sha256(data) }, 'exactly the limit, measured while stored')
    const back: Buffer[] = []
    for await (const chunk of await blobs.open(id, written)) back.push(chunk as Buffer)
    t.equal(back.length, 3, 'read back in 256 KiB chunks')
    t.equal(sha256(Buffer.concat(back)), sha256(data), 'byte for byte')
    const count = async () =>
      (await lite.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM blob_chunks')).rows[0]!.n
    await t.rejects(blobs.write(randomUUID(), pieces(data), { maxBytes: data.length - 1 }), { name: 'BlobTooLarge' })
    t.equal(await count(), 3, 'one byte over: nothing of it left')
    await blobs.erase(id)
    t.equal(await count(), 0, 'erased')
    await t.rejects(blobs.open(id, written), { name: 'BlobMissing' })
  })

  await t.test('a rebuild from position 0 writes identical rows', async (t) => {
    const rows = async () => db.selectFrom('resources').selectAll().orderBy('id').execute()
    const caughtUp = async () => {
      const head = await runtime.store.head()
      await eventually(() => runtime.runners.every((r) => runtime.store.compare(r.position, head) >= 0))
    }
    await caughtUp()
    const before = await rows()
    t.ok(before.length >= 10, `${before.length} rows, ${before.filter((r) => r.deleted_at).length} deleted`)
    t.ok(
      before.some((r) => r.downloads > 0),
      'downloads counted',
    )
    await resetConsumer(db, projectionConsumer(resourcesProjection))
    // the live runner notices the reset and replays the feed from position 0
    await eventually(async () => JSON.stringify(await rows()) === JSON.stringify(before))
    t.same(await rows(), before, 'identical: ids, texts, sizes, deletions and download counts')
  })
})
