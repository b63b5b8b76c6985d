import multipart from '@fastify/multipart'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import {
  type ResourceDetails,
  type StoredFile,
  discardResourceFile,
  recordResourceUpload,
  storeResourceFile,
} from '../../commands/resources/upload'
import type { ResourceDeps } from '../../commands/resources/deps'
import type { ResourceRecord } from '../../domain/resources/state'
import { resourceRefusals } from '../../domain/resources/refusals'
import { isConnectionError } from '../../platform/connection-errors'
import { ApiError, errors } from '../errors'
import type { App } from '../types'

/** Room for the form around the file: the other fields, boundaries, part headers. */
const FORM_OVERHEAD_BYTES = 64 * 1024
/** a description is 2,000 characters at most, 8 KiB of UTF-8 */
const FIELD_MAX_BYTES = 16 * 1024
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The multipart plugin's own errors, in our words (each a 4xx with a code and a detail). */
const PLUGIN_ERRORS: Record<string, () => ApiError> = {
  FST_FILES_LIMIT: () => errors.invalidForm(undefined, undefined, 'Send exactly one file, in the part named file'),
  FST_FIELDS_LIMIT: () => errors.invalidForm(undefined, undefined, 'The form has too many fields'),
  FST_PARTS_LIMIT: () => errors.invalidForm(undefined, undefined, 'The form has too many parts'),
  FST_PROTO_VIOLATION: () => errors.invalidForm(undefined, undefined, 'A field name is not allowed'),
  FST_INVALID_JSON_FIELD_ERROR: () =>
    errors.invalidForm(undefined, undefined, 'A field declared as JSON is not valid JSON'),
  FST_MP_PREMATURE_CLOSE: () => errors.invalidForm(undefined, undefined, 'The upload ended before the form did'),
}

/** An error of the form's parser (a malformed or cut-off body, a limit) as our 400; a lost database stays what it is. */
function formError(err: unknown): unknown {
  if (err instanceof ApiError || isConnectionError(err as Error)) return err
  const known = PLUGIN_ERRORS[(err as { code?: string }).code ?? '']
  return known ? known() : errors.invalidForm(undefined, undefined, 'The multipart form could not be read')
}

/** the file's bytes, an error of their stream (a malformed or cut-off part) being one of the form's */
async function* bytesOf(file: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of file) yield chunk
  } catch (err) {
    throw formError(err)
  }
}

/**
 * Registers `routes` in a scope of their own that reads multipart forms (the
 * upload routes alone: every other route stays JSON, and login keeps its own
 * form reader). A refusal sent before the body has all arrived closes the
 * connection with the answer, so the rest of an oversized upload is never read.
 */
export async function uploadScope(app: App, maxBytes: number, routes: (scope: App) => void): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, {
      // counted by the store as the bytes arrive (exactly maxBytes passes); this is only a backstop
      limits: {
        files: 1,
        fields: 8,
        parts: 10,
        fieldSize: FIELD_MAX_BYTES,
        fieldNameSize: 100,
        fileSize: maxBytes + 1,
      },
      throwFileSizeLimit: false,
    })
    scope.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode >= 400 && !request.raw.complete) reply.header('connection', 'close')
      return payload
    })
    routes(scope.withTypeProvider<TypeBoxTypeProvider>())
  })
}

interface UploadForm {
  file: StoredFile
  fields: Record<string, string>
}

/** Reads the form part by part, storing the file part as it streams in (fields may come before or after it). */
async function readForm(request: FastifyRequest, deps: ResourceDeps): Promise<UploadForm> {
  if (!request.isMultipart())
    throw errors.unsupportedMediaType(
      undefined,
      undefined,
      'Send multipart/form-data with the file in a part named file',
    )
  const declared = Number(request.headers['content-length'])
  // refused before a byte of the body is read
  if (declared > deps.maxBytes + FORM_OVERHEAD_BYTES) throw resourceRefusals.tooLarge(deps.maxBytes)
  const parts = request.parts()[Symbol.asyncIterator]()
  let file: StoredFile | undefined
  const fields: Record<string, string> = {}
  try {
    for (;;) {
      let next
      try {
        next = await parts.next()
      } catch (err) {
        throw formError(err)
      }
      if (next.done) break
      const part = next.value
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file)
          throw errors.invalidForm(undefined, undefined, 'Send exactly one file, in the part named file')
        file = await storeResourceFile(deps, {
          name: part.filename,
          content_type: part.mimetype,
          bytes: bytesOf(part.file),
        })
      } else {
        if (part.valueTruncated || part.fieldnameTruncated)
          throw errors.invalidForm(undefined, undefined, `A field is longer than ${FIELD_MAX_BYTES} bytes`)
        if (Object.hasOwn(fields, part.fieldname))
          throw errors.invalidForm(undefined, undefined, `${part.fieldname} is sent twice`)
        fields[part.fieldname] = String(part.value)
      }
    }
  } catch (err) {
    if (file) await discardResourceFile(deps, file).catch(() => undefined)
    throw err
  }
  if (!file)
    throw errors.validation({ field: 'file' }, undefined, 'file is required: a file part (with a file name) named file')
  return { file, fields }
}

const optional = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v)

/** The form's other fields; the club's `event_id` and our `club_event_id` name the same thing. */
function detailsOf(fields: Record<string, string>): ResourceDetails {
  const ours = optional(fields.club_event_id)
  const theirs = optional(fields.event_id)
  if (ours !== undefined && theirs !== undefined && ours !== theirs)
    throw errors.validation({ field: 'club_event_id' }, undefined, 'club_event_id and event_id differ')
  const clubEvent = ours ?? theirs
  if (clubEvent !== undefined && !UUID.test(clubEvent))
    throw errors.validation({ field: 'club_event_id' }, undefined, 'club_event_id must be a uuid')
  if (fields.title === undefined) throw errors.validation({ field: 'title' }, undefined, 'title is required')
  return { title: fields.title, description: optional(fields.description) ?? null, club_event_id: clubEvent ?? null }
}

/**
 * An upload from start to end: the form read and its file stored as it
 * streams, then the resource recorded. Whatever is refused on the way leaves
 * no bytes and no event behind.
 */
export async function uploadResource(request: FastifyRequest, deps: ResourceDeps): Promise<ResourceRecord> {
  const { file, fields } = await readForm(request, deps)
  let details
  try {
    details = detailsOf(fields)
  } catch (err) {
    await discardResourceFile(deps, file).catch(() => undefined)
    throw err
  }
  return recordResourceUpload(deps, file, details, request.actor())
}
