import { resourceRefusals } from './refusals'

/**
 * The files the club may share, by extension AND declared content type
 * (docs/resources.md): both must agree, so a renamed executable or an HTML
 * page sent as "notes.pdf" is refused. What a download is served as is the
 * extension's canonical type (the first listed), never what the uploader
 * declared. `application/octet-stream` (what browsers send for a type they do
 * not know) is accepted only where browsers commonly do not know the type.
 */
interface Allowed {
  /** the first is the canonical type a download is served as */
  types: readonly [string, ...string[]]
  /** the club frontend's category filter */
  category: string
  /** whether a declared application/octet-stream is accepted */
  octet?: boolean
}

const OFFICE = 'application/vnd.openxmlformats-officedocument'
const image = (type: string): Allowed => ({ types: [type], category: 'Image' })

const ALLOWED_FILE_TYPES: Readonly<Record<string, Allowed>> = {
  pdf: { types: ['application/pdf'], category: 'PDF' },
  txt: { types: ['text/plain'], category: 'Text' },
  md: { types: ['text/markdown', 'text/x-markdown', 'text/plain'], category: 'Text', octet: true },
  csv: {
    // Windows browsers call a .csv what Excel registered for it
    types: ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'],
    category: 'Data',
  },
  png: image('image/png'),
  jpg: image('image/jpeg'),
  jpeg: image('image/jpeg'),
  gif: image('image/gif'),
  webp: image('image/webp'),
  pptx: { types: [`${OFFICE}.presentationml.presentation`], category: 'Slides' },
  ppt: { types: ['application/vnd.ms-powerpoint'], category: 'Slides' },
  docx: { types: [`${OFFICE}.wordprocessingml.document`], category: 'Document' },
  doc: { types: ['application/msword'], category: 'Document' },
  xlsx: { types: [`${OFFICE}.spreadsheetml.sheet`], category: 'Spreadsheet' },
  xls: { types: ['application/vnd.ms-excel'], category: 'Spreadsheet' },
  zip: { types: ['application/zip', 'application/x-zip-compressed'], category: 'Archive' },
  ipynb: {
    types: ['application/x-ipynb+json', 'application/json'],
    category: 'Notebook',
    octet: true,
  },
  py: {
    types: ['text/x-python', 'text/x-script.python', 'application/x-python-code', 'text/plain'],
    category: 'Code',
    octet: true,
  },
  mp4: { types: ['video/mp4'], category: 'Video' },
  webm: { types: ['video/webm'], category: 'Video' },
}

export interface FileType {
  extension: string
  /** what a download is served as */
  content_type: string
  category: string
}

/** `Text/Plain; charset=utf-8` → `text/plain` */
const essence = (contentType: string) => contentType.split(';', 1)[0]!.trim().toLowerCase()

const extensionOf = (fileName: string): string => {
  const dot = fileName.lastIndexOf('.')
  return dot <= 0 ? '' : fileName.slice(dot + 1).toLowerCase()
}

const allowedFor = (extension: string): Allowed | undefined =>
  Object.hasOwn(ALLOWED_FILE_TYPES, extension) ? ALLOWED_FILE_TYPES[extension] : undefined

/** The file's type if the allowlist takes its extension with that declared type; refuses otherwise. */
export function allowedFileType(fileName: string, declaredType: string): FileType {
  const extension = extensionOf(fileName)
  const allowed = allowedFor(extension)
  if (!allowed)
    throw resourceRefusals.typeNotAllowed(
      extension ? `Files of type .${extension} are not accepted` : 'The file name has no extension',
    )
  const declared = essence(declaredType)
  const fits = allowed.types.includes(declared) || (allowed.octet === true && declared === 'application/octet-stream')
  if (!fits)
    throw resourceRefusals.typeNotAllowed(`A .${extension} file cannot be sent as ${declared || 'no content type'}`)
  return { extension, content_type: allowed.types[0], category: allowed.category }
}

/** The type of a file already stored (its name and canonical type passed allowedFileType). */
export function storedFileType(fileName: string): FileType {
  const extension = extensionOf(fileName)
  const allowed = allowedFor(extension)
  return allowed
    ? { extension, content_type: allowed.types[0], category: allowed.category }
    : { extension, content_type: 'application/octet-stream', category: 'Other' }
}
