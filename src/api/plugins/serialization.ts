import fastJsonStringify from 'fast-json-stringify'
import type { App } from '../types'

type Schema = Record<string, unknown>

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Keywords that only say what a value means, never how it is written. */
const ANNOTATIONS = new Set(['title', 'description', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment'])
/** Keywords a union may not be merged across: their schema needs its own branch. */
const BRANCHING = ['anyOf', 'oneOf', 'allOf', 'not', 'if', '$ref']

/**
 * A response schema with its unions written as JSON types where that says
 * the same thing: `Nullable(T)` as `type: [T's type, 'null']`, an object or
 * an array (the club's bare list beside a page) as `type: ['object',
 * 'array']`, literals of one type as that type with their `enum`.
 * fast-json-stringify tells such types apart with `typeof`; for an `anyOf` it
 * runs the whole value through Ajv, formats and all, branch by branch, at
 * every one of its occurrences: for a page of 50 club events, 0.91 ms of the
 * service's CPU per request against 0.69 ms typed (campus history, 100
 * clients). A union it cannot merge (two objects, a branch with its own
 * union) stays as it is. The OpenAPI document keeps the unions: this is only
 * what the serializer is compiled from.
 */
export function typedUnions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(typedUnions)
  if (!isSchema(schema)) return schema
  const out: Schema = {}
  for (const [key, value] of Object.entries(schema))
    out[key] =
      key === 'properties' && isSchema(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typedUnions(v)]))
        : key === 'const' || key === 'enum' || key === 'default' || key === 'examples'
          ? value
          : typedUnions(value)
  return Array.isArray(out.anyOf) ? (merged(out) ?? out) : out
}

/** One schema with a type per branch, or undefined when the branches cannot be told apart by type alone. */
function merged(schema: Schema): Schema | undefined {
  const { anyOf, ...siblings } = schema as Schema & { anyOf: unknown[] }
  if (anyOf.length === 0 || !anyOf.every(isSchema)) return undefined
  const branches = anyOf as Schema[]
  if (branches.some((b) => typeof b.type !== 'string' || BRANCHING.some((k) => k in b))) return undefined
  const types = [...new Set(branches.map((b) => b.type as string))]
  const out: Schema = { ...siblings }
  for (const type of types) {
    const branch = ofOneType(branches.filter((b) => b.type === type))
    if (!branch) return undefined
    for (const [key, value] of Object.entries(branch)) {
      if (key === 'type' || ANNOTATIONS.has(key)) continue
      // a keyword two branches both set (a `default`, say) would have to be one of them: not merged
      if (Object.hasOwn(out, key)) return undefined
      out[key] = value
    }
  }
  out.type = types.length === 1 ? types[0] : types
  return out
}

/**
 * The branches of one type as one schema: a lone branch as it is, literals
 * (`Type.Literal` each) as their type with an `enum`; undefined for anything
 * more. A `const` is always made an `enum`: fast-json-stringify writes a
 * `const` whatever the value, which would turn the `null` of another type
 * into the literal.
 */
function ofOneType(branches: Schema[]): Schema | undefined {
  const literal = (b: Schema) =>
    'const' in b && Object.keys(b).every((k) => k === 'type' || k === 'const' || ANNOTATIONS.has(k))
  if (branches.every(literal)) return { type: branches[0]!.type, enum: branches.map((b) => b.const) }
  if (branches.length === 1 && !('const' in branches[0]!)) return branches[0]
  return undefined
}

/** Responses are serialized from their schemas with the unions typed (the schemas themselves are untouched). */
export function registerSerialization(app: App): void {
  app.setSerializerCompiler(({ schema }) => fastJsonStringify(typedUnions(schema) as object))
}
