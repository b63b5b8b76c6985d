import { errors } from '../errors'
import type { App } from '../types'
import Ajv, { type ErrorObject, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import { fullFormats } from 'ajv-formats/dist/formats'
import { instantIn, isNaive } from '../../platform/wall-clock'

/**
 * As the club's clients expect (docs/club-frontend.md): a key a schema does
 * not name is dropped, never assigned and never refused; `null` on an
 * optional field that does not take null means the field is absent; a
 * date-time without a zone is wall-clock time in the club's zone. Bodies are
 * not type-coerced (a number is not a string); query strings and path
 * parameters arrive as text, so they are coerced to the declared types.
 */
function ajv(options: Options): Ajv {
  const instance = new Ajv({ allErrors: false, strict: false, useDefaults: true, removeAdditional: 'all', ...options })
  addFormats(instance)
  instance.addFormat('date', { type: 'string', validate: isDate })
  instance.addFormat('date-time', { type: 'string', validate: isDateTime })
  return instance
}

interface Schema {
  type?: string | string[]
  format?: string
  anyOf?: Schema[]
  properties?: Record<string, Schema>
  required?: string[]
}

/** A validator as fastify calls it: true, or false with its errors; it may rewrite the object it checks. */
export type Check = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null }
export interface Compiler {
  compile(schema: object): Check
}

const acceptsNull = (p: Schema): boolean =>
  p.type === 'null' || (Array.isArray(p.type) && p.type.includes('null')) || (p.anyOf ?? []).some(acceptsNull)
const isDateTimeField = (p: Schema): boolean => p.format === 'date-time' || (p.anyOf ?? []).some(isDateTimeField)

/** The lenient reading of the top-level fields of one object, in place, before validation. */
function normalise(data: Record<string, unknown>, schema: Schema, zone: string): void {
  const required = new Set(schema.required ?? [])
  for (const [key, value] of Object.entries(data)) {
    const field = schema.properties?.[key]
    if (!field) continue // not named: validation drops it
    if (value === null && !required.has(key) && !acceptsNull(field)) delete data[key]
    else if (typeof value === 'string' && isDateTimeField(field) && isNaive(value))
      data[key] = instantIn(value, zone) ?? value // no real time: left for the format to refuse
  }
}

function lenient(instance: Ajv, zone: string): Compiler {
  return {
    compile(schema) {
      const validate = instance.compile(schema)
      const check: Check = (data) => {
        if (data !== null && typeof data === 'object' && !Array.isArray(data))
          normalise(data as Record<string, unknown>, schema as Schema, zone)
        const ok = validate(data)
        check.errors = validate.errors
        return ok
      }
      return check
    },
  }
}

/** The validators of one app: strict types for bodies, coercing for the rest (the route fuzz checks its cases with them). */
export function validators(zone = 'UTC'): { body: Compiler; text: Compiler } {
  return {
    body: lenient(ajv({ coerceTypes: false }), zone),
    text: lenient(ajv({ coerceTypes: 'array' }), zone),
  }
}

export function registerValidation(app: App, zone: string): void {
  const { body, text } = validators(zone)
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema))
  app.addHook('preValidation', (request, _reply, done) => {
    if (unstorable(request.params) || unstorable(request.query) || unstorable(request.body))
      return done(errors.validation(undefined, undefined, 'The request holds a NUL character or a lone surrogate'))
    done()
  })
}

// a lone surrogate is no Unicode text (no UTF-8 can carry it); NUL is the one character text columns refuse
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const NOT_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * Whether `input` holds, in any string or key, what PostgreSQL stores in
 * neither text nor jsonb: such input could only fail later, as a 500. Walked
 * without recursion, since a body may nest as deep as its size allows.
 */
function unstorable(input: unknown): boolean {
  const todo = [input]
  while (todo.length) {
    const x = todo.pop()
    if (typeof x === 'string') {
      if (NOT_TEXT.test(x)) return true
    } else if (x !== null && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (NOT_TEXT.test(k)) return true
        todo.push(v)
      }
    }
  }
  return false
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
