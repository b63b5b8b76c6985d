import type { App } from '../types'
import Ajv, { type Options } from 'ajv'
import addFormats from 'ajv-formats'

/**
 * Bodies are validated strictly: no type coercion (a number is not a string),
 * unknown fields refused rather than silently dropped. Query strings and path
 * parameters arrive as text, so they are coerced to the declared types.
 */
function ajv(options: Options): Ajv {
  const instance = new Ajv({ allErrors: false, strict: false, useDefaults: true, ...options })
  addFormats(instance)
  return instance
}

export function registerValidation(app: App): void {
  const strict = ajv({ coerceTypes: false, removeAdditional: false })
  const coercing = ajv({ coerceTypes: 'array', removeAdditional: false })
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema))
}
