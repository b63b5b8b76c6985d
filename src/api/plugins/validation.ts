import type { App } from '../types'
import Ajv, { type Options } from 'ajv'
import addFormats from 'ajv-formats'
import { fullFormats } from 'ajv-formats/dist/formats'

/**
 * Bodies are validated strictly: no type coercion (a number is not a string),
 * unknown fields refused rather than silently dropped. Query strings and path
 * parameters arrive as text, so they are coerced to the declared types.
 */
function ajv(options: Options): Ajv {
  const instance = new Ajv({ allErrors: false, strict: false, useDefaults: true, ...options })
  addFormats(instance)
  instance.addFormat('date', { type: 'string', validate: isDate })
  instance.addFormat('date-time', { type: 'string', validate: isDateTime })
  return instance
}

export function registerValidation(app: App): void {
  const strict = ajv({ coerceTypes: false, removeAdditional: false })
  const coercing = ajv({ coerceTypes: 'array', removeAdditional: false })
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema))
}

const rfc3339 = (name: 'date' | 'date-time') => (fullFormats[name] as { validate: (s: string) => boolean }).validate
const rfcDate = rfc3339('date')
const rfcDateTime = rfc3339('date-time')
const FIRST = Date.parse('0001-01-01T00:00:00Z')
const LAST = Date.parse('9999-12-31T23:59:59.999Z')

/**
 * RFC 3339 as far as a JavaScript Date and PostgreSQL both hold it: years 1 to
 * 9999 (PostgreSQL has no year 0) and no leap second (23:59:60 is no Date).
 * Anything else passed the format and failed in the query as a 500.
 */
function isDate(s: string): boolean {
  return rfcDate(s) && !s.startsWith('0000')
}

function isDateTime(s: string): boolean {
  if (!rfcDateTime(s)) return false
  const ms = Date.parse(s)
  return ms >= FIRST && ms <= LAST
}
