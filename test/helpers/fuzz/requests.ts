import fc from 'fast-check'
import type { Access } from '../../../src/api/plugins/auth'
import { validators } from '../../../src/api/plugins/validation'
import { KnownId, RAW_URL_TEXT, RawText, type Schema, breaking, hostileText, validish } from './values'

/**
 * Requests for the route fuzz, generated from the service's OpenAPI document:
 * valid-ish ones (every part shaped as the document says, the content
 * hostile), and ones with exactly one defect the service must refuse: a part
 * that breaks its schema, or a caller the route does not admit.
 */
export interface Operation {
  method: string
  /** OpenAPI form: /api/events/{id} */
  path: string
  access: Access
  params: { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Schema }[]
  body: Schema | undefined
  /** the OpenAPI tags: `club` marks the club frontend's paths over commands other routes fuzz too */
  tags: string[]
}

/** Who sends a request: a signed-in admin or student, or someone with no (or a bad) token. */
export const CALLERS = [
  'admin',
  'student',
  'none',
  'junk',
  'wrong-key',
  'no-such-user',
  'expired',
  'bad-claims',
] as const
export type CallerKind = (typeof CALLERS)[number]

export interface Draft {
  caller: CallerKind
  path: Record<string, unknown>
  query: Record<string, unknown>
  headers: Record<string, string>
  /** absent: no body */
  body?: unknown
  /** what the request breaks, when it is one that must be refused */
  defect?: string
}

interface OpenApiOperation {
  tags?: string[]
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[]
  requestBody?: { content?: Record<string, { schema: Schema }> }
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>
}

/** Every operation the document lists; `access` from the app's own route table (the document does not say it). */
export function operations(doc: OpenApiDocument, access: (method: string, url: string) => Access): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      access: access(method.toUpperCase(), path.replace(/\{(\w+)\}/g, ':$1')),
      params: (op.parameters ?? []).map((p) => ({
        name: p.name,
        in: p.in as 'path' | 'query' | 'header',
        required: p.required ?? false,
        schema: p.schema,
      })),
      body: op.requestBody?.content?.['application/json']?.schema,
      tags: op.tags ?? [],
    })),
  )
}

const admits = (access: Access, caller: CallerKind) =>
  access === 'public' || (caller === 'admin' && access !== 'student') || (caller === 'student' && access !== 'admin')

/** a query or header value as the service receives it: text (an array: the name repeated) */
const scalarText = (v: unknown): string => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))
const asText = (v: unknown): unknown => (Array.isArray(v) ? v.map(scalarText) : scalarText(v))
const asTextObject = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, asText(v)]))

/** the app's own validators (built once: each is an Ajv with its formats) */
const v = validators()

/** what an HTTP client can send in a header value at all */
const HEADER_SAFE = /^[\t\x20-\x7e]*$/
/** whether `arb` gives values `ok` takes often enough to filter on */
const viable = (arb: fc.Arbitrary<unknown>, ok: (x: unknown) => boolean) =>
  fc.sample(arb, { numRuns: 40, seed: 1 }).filter(ok).length >= 4

const UNKNOWN_KEYS = ['role', 'is_admin', 'id', 'status', 'x', '', 'constructor'] as const

function validParams(op: Operation, where: 'path' | 'query' | 'header'): fc.Arbitrary<Record<string, unknown>> {
  const ps = op.params.filter((p) => p.in === where)
  const value = (p: Operation['params'][number]) =>
    p.in === 'header'
      ? validish(p.schema, p.name).filter((x) => HEADER_SAFE.test(String(x)))
      : validish(p.schema, p.name)
  const shape = Object.fromEntries(ps.map((p) => [p.name, value(p)]))
  const requiredKeys = ps.filter((p) => p.required).map((p) => p.name)
  const valid = fc.record(shape, { requiredKeys }).map((o) => ({ ...o }))
  if (where !== 'query') return valid
  // a stray parameter now and then: refused where the route declares its query, ignored elsewhere
  const stray = fc.oneof(
    { weight: 7, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_KEYS.filter(Boolean)) },
  )
  return fc.tuple(valid, stray).map(([q, k]) => (k === null ? q : { ...q, [k]: '1' }))
}

/** Bodies that break one rule of `s` (never a body `s` accepts: checked with the app's own validator). */
function breakingObjects(s: Schema): fc.Arbitrary<unknown>[] {
  if (s.type !== 'object') return breaking(s)
  const props = s.properties ?? {}
  const base = validish({ ...s, nullable: false }) as fc.Arbitrary<Record<string, unknown>>
  const out: fc.Arbitrary<unknown>[] = breaking({ ...s, type: 'object' })
  for (const [k, p] of Object.entries(props)) {
    const bad = p.type === 'object' ? breakingObjects(p) : breaking(p)
    if (bad.length) out.push(fc.tuple(base, fc.oneof(...bad)).map(([o, v]) => ({ ...o, [k]: v })))
  }
  for (const k of s.required ?? []) out.push(base.map(({ [k]: _gone, ...rest }) => rest))
  if (s.additionalProperties === false)
    out.push(
      fc
        .tuple(base, fc.oneof(fc.constantFrom(...UNKNOWN_KEYS), hostileText(20)), fc.jsonValue({ maxDepth: 1 }))
        .filter(([, k]) => !(k in props))
        .map(([o, k, v]) => ({ ...o, [k]: v })),
    )
  if (s.minProperties) out.push(fc.constant({}))
  return out
}

const NO_ID = '00000000-0000-4000-8000-000000000000'

/** `x` with each known id in it replaced by `idOf(it)`: how a draft becomes what is sent. */
const withIds = (x: unknown, idOf: (k: KnownId) => string): unknown =>
  x instanceof KnownId
    ? idOf(x)
    : Array.isArray(x)
      ? x.map((v) => withIds(v, idOf))
      : x !== null && typeof x === 'object' && !(x instanceof RawText)
        ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, withIds(v, idOf)]))
        : x

/**
 * A value as the schema will see it: a known id is sent as an id. Checked as the
 * placeholder object it is until then, a body whose only flaw seemed to be a
 * known id was counted as broken, and then sent as a valid request.
 */
const asSent = (x: unknown): unknown => withIds(x, () => NO_ID)

/** A body as the service receives it: JSON text (an undefined property gone, NaN a null). */
const bodyAsSent = (b: unknown): unknown => (b === undefined ? undefined : JSON.parse(JSON.stringify(asSent(b))))

/**
 * Requests for `op`: `valid-ish` (any caller), or `hostile` (one defect each).
 * None hostile when `op` has nothing to break (a public route without input).
 */
export function drafts(op: Operation, mode: 'valid-ish' | 'hostile'): fc.Arbitrary<Draft> | undefined {
  const insiders = CALLERS.filter((c) => admits(op.access, c))
  // mostly callers the route admits, so that cases get past the door
  const caller = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...insiders) },
    { weight: 1, arbitrary: fc.constantFrom(...CALLERS) },
  )
  const parts = {
    path: validParams(op, 'path'),
    query: validParams(op, 'query'),
    headers: validParams(op, 'header') as fc.Arbitrary<Record<string, string>>,
  }
  const body = op.body ? { body: validish(op.body) } : {}
  if (mode === 'valid-ish') return fc.record({ caller, ...parts, ...body }) as fc.Arbitrary<Draft>
  // a defect in the request itself is sent by a caller the route admits, so that it is what gets refused
  const valid = fc.record({ caller: fc.constantFrom(...insiders), ...parts, ...body }) as fc.Arbitrary<Draft>

  const defects: fc.Arbitrary<Draft>[] = []
  const outsiders = CALLERS.filter((c) => !admits(op.access, c))
  if (outsiders.length)
    defects.push(
      fc
        .record({ caller: fc.constantFrom(...outsiders), ...parts, ...body })
        .map((d) => ({ ...d, defect: `caller ${d.caller}` })),
    )
  for (const p of op.params) {
    const where = p.in === 'header' ? 'headers' : p.in
    const accepts = v.text.compile({ type: 'object', properties: { [p.name]: p.schema }, required: [p.name] })
    // as the service receives it: a header is one string; a path parameter is never empty (another route)
    const sent = (x: unknown) => (p.in === 'header' ? String(asText(x)) : asText(x))
    // an empty list is no parameter at all
    const refused = (x: unknown) =>
      x instanceof RawText
        ? // a dot segment names the parent path: another route, not a bad parameter
          !(p.in === 'path' && x.text === '.')
        : !(Array.isArray(x) && x.length === 0) &&
          !accepts({ [p.name]: asSent(x) }) &&
          (p.in !== 'path' || x !== '') &&
          (p.in !== 'header' || HEADER_SAFE.test(String(x)))
    const raw = p.in === 'path' ? [fc.constantFrom(...RAW_URL_TEXT)] : []
    for (const bad of [...breaking(p.schema).map((b) => b.map(sent)), ...raw])
      if (viable(bad, refused))
        defects.push(
          fc
            .tuple(valid, bad.filter(refused))
            .map(([d, x]) => ({ ...d, [where]: { ...d[where], [p.name]: x }, defect: `${p.in} ${p.name}` })),
        )
  }
  if (op.body) {
    const accepts = v.body.compile(op.body)
    const refused = (b: unknown) => !accepts(bodyAsSent(b))
    for (const bad of [...breakingObjects(op.body), fc.constant(undefined)])
      if (viable(bad, refused))
        defects.push(
          fc
            .tuple(valid, bad.filter(refused))
            .map(([d, b]) => ({ ...d, body: b, defect: `body ${JSON.stringify(b)?.slice(0, 60) ?? 'absent'}` })),
        )
  }
  return defects.length ? fc.oneof(...defects) : undefined
}

/** percent-encoded UTF-8, as a client sends it (a lone surrogate goes as U+FFFD: it has no UTF-8) */
const encode = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('')

/** What the draft's caller sends as Authorization. */
export type Tokens = Record<CallerKind, string | undefined>

export interface Rendered {
  method: string
  url: string
  headers: Record<string, string>
  payload?: string
}

/** The draft as a request, its known ids chosen from `known` (ids the service gave out so far). */
export function render(op: Operation, d: Draft, tokens: Tokens, known: readonly string[]): Rendered {
  const pick = (x: unknown): unknown => withIds(x, (k) => known[k.index % Math.max(known.length, 1)] ?? NO_ID)
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const x = d.path[name]
    return x instanceof RawText ? x.text : encode(String(pick(x)))
  })
  const query = new URLSearchParams()
  for (const [k, v] of Object.entries(pick(d.query) as Record<string, unknown>))
    for (const x of [asText(v)].flat()) query.append(k, String(x))
  const token = tokens[d.caller]
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(asTextObject(pick(d.headers) as Record<string, unknown>)).map(([k, v]) => [k, String(v)]),
  )
  if (token) headers.authorization = token
  const rendered: Rendered = { method: op.method, url: `${path}${query.size ? `?${query}` : ''}`, headers }
  if ('body' in d && d.body !== undefined) {
    rendered.headers['content-type'] = 'application/json'
    rendered.payload = JSON.stringify(pick(d.body))
  }
  return rendered
}
