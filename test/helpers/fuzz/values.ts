import fc from 'fast-check'

/**
 * Values for the route fuzz (test/api/fuzz): from an OpenAPI 3.0 schema,
 * values it accepts ("valid-ish": shaped right, with hostile content the
 * schema cannot see: NUL, lone surrogates, edge dates and numbers), and
 * values that break exactly one of its rules.
 */
export interface Schema {
  type?: string
  nullable?: boolean
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  minProperties?: number
  items?: Schema
  anyOf?: Schema[]
  oneOf?: Schema[]
  enum?: unknown[]
  const?: unknown
  minLength?: number
  maxLength?: number
  pattern?: string
  format?: string
  minimum?: number
  maximum?: number
}

/** An id the service gave out earlier, chosen when the request is sent (test/api/fuzz resolves it). */
export class KnownId {
  constructor(readonly index: number) {}
}

/** Bytes a client may put in a URL as they are: escapes of no UTF-8 text, or no escapes at all. */
export class RawText {
  constructor(readonly text: string) {}
}
export const RAW_URL_TEXT = ['%FF', '%ED%A0%80', '%C0%AF', '%', '%zz', '%00', '..', '.'].map((x) => new RawText(x))

/** Strings no schema refuses but PostgreSQL, JSON or a parser might. */
const NASTY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil',
  '\ufeff',
  '🦄',
  'é',
  '\r\n',
  "' OR 1=1 --",
  '%00',
  '../..',
  '${7*7}',
  '<script>',
  'null',
  '-0',
] as const

/** Numbers at the edges of JavaScript, PostgreSQL's integers and JSON. */
const EDGE_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  1e308,
  -1e308,
  5e-324,
] as const

/** Date-times and dates RFC 3339 regexes let through, or nearly. */
const BAD_DATE_TIMES = [
  '2016-12-31T23:59:60Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+01:00',
  '10000-01-01T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T00:00:00+00',
  '2024-01-01T00:00:00',
  '2024-01-01',
  '-000001-01-01T00:00:00Z',
  '9999-12-31T23:59:60-01:00',
] as const
const BAD_DATES = ['0000-01-01', '2023-02-29', '2024-13-01', '2024-00-10', '10000-01-01', '2024-1-1'] as const

const nasty = fc.constantFrom(...NASTY_STRINGS)
/** text with hostile pieces mixed in */
export const hostileText = (maxLength = 40): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), nasty), { maxLength: 4 })
    .map((parts) => parts.join('').slice(0, maxLength))

const isoDate = (min: string, max: string) =>
  fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((d) => d.toISOString())

/** a list cursor (api/cursor.ts): base64url JSON `[time, id]`, mostly well formed, sometimes at or past its edges */
const cursor = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: isoDate('1970-01-01', '2100-01-01') },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...BAD_DATE_TIMES), hostileText()) },
    ),
    fc.oneof({ weight: 3, arbitrary: fc.uuid() }, { weight: 1, arbitrary: hostileText() }),
  )
  .map((key) => Buffer.from(JSON.stringify(key)).toString('base64url'))

const password = fc.oneof(
  fc.constant('Correct-Horse-7-Battery'),
  fc.string({ minLength: 8, maxLength: 30 }).map((s) => `Aa1!${s}`),
)

const MAX_TX = 2n ** 64n - 1n
const MAX_POSITION = 2n ** 63n - 1n
/** a feed position (`tx:position`, store/postgres/rows.ts), at and past the columns' ranges */
const position = fc.oneof(
  fc
    .tuple(fc.bigInt({ min: 0n, max: MAX_TX + 2n }), fc.bigInt({ min: 0n, max: MAX_POSITION + 2n }))
    .map(([a, b]) => `${a}:${b}`),
  fc.constantFrom(
    '',
    '0:0',
    '1:1',
    `${MAX_TX}:${MAX_POSITION}`,
    `1:${MAX_POSITION + 1n}`,
    `${MAX_TX + 1n}:1`,
    `${'9'.repeat(20)}:1`,
  ),
)

function byName(name: string | undefined): fc.Arbitrary<unknown> | undefined {
  if (name === 'after' || name === 'consistency-token') return position
  if (name === 'email') return fc.oneof(fc.emailAddress(), fc.constant('ada@club.example.org'))
  if (name === 'password') return password
  if (name === 'cursor')
    return fc.oneof({ weight: 4, arbitrary: cursor }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) })
  return undefined
}

function validString(s: Schema, name?: string): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0
  const maxLength = Math.min(s.maxLength ?? 60, 60)
  const fits = (x: string) => x.length >= minLength && x.length <= (s.maxLength ?? Infinity)
  if (s.format === 'uuid') return fc.uuid()
  if (s.format === 'date-time')
    return fc.oneof(
      { weight: 4, arbitrary: isoDate('1970-01-01', '2100-01-01') },
      fc.constantFrom('0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2016-12-31T23:59:59.999999Z'),
      // what RFC 3339 (and so a format check) may take, but not a Date or PostgreSQL
      { weight: 2, arbitrary: fc.constantFrom(...BAD_DATE_TIMES) },
    )
  if (s.format === 'date')
    return fc.oneof(
      { weight: 4, arbitrary: isoDate('1970-01-01', '2100-01-01').map((d) => d.slice(0, 10)) },
      fc.constantFrom('0001-01-01', '9999-12-31'),
      { weight: 2, arbitrary: fc.constantFrom(...BAD_DATES) },
    )
  const named = byName(name) as fc.Arbitrary<string> | undefined
  if (named && s.pattern) return named.filter(fits)
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(fits)
  return fc
    .oneof(
      { weight: 3, arbitrary: named ?? fc.string({ minLength, maxLength }) },
      { weight: 1, arbitrary: hostileText(maxLength) },
    )
    .filter(fits)
}

/** Values `s` accepts; `name` is the property's name (an email, a cursor…), for values that go deeper. */
export function validish(s: Schema, name?: string): fc.Arbitrary<unknown> {
  const nonNull = validNonNull(s, name)
  return s.nullable ? fc.oneof({ weight: 4, arbitrary: nonNull }, { weight: 1, arbitrary: fc.constant(null) }) : nonNull
}

function validNonNull(s: Schema, name?: string): fc.Arbitrary<unknown> {
  const union = s.anyOf ?? s.oneOf
  if (union) return fc.oneof(...union.map((u) => validish(u, name)))
  if (s.enum) return fc.constantFrom(...s.enum)
  if (s.const !== undefined) return fc.constant(s.const)
  switch (s.type) {
    case 'string':
      return s.format === 'uuid'
        ? fc.oneof(
            fc.uuid(),
            fc.nat().map((n) => new KnownId(n)),
          )
        : validString(s, name)
    case 'integer':
    case 'number': {
      const min = s.minimum ?? -(2 ** 53)
      const max = s.maximum ?? 2 ** 53
      const edges = EDGE_NUMBERS.filter((n) => n >= min && n <= max && (s.type === 'number' || Number.isInteger(n)))
      const any =
        s.type === 'integer'
          ? fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) })
          : fc.double({ min, max, noNaN: true, noDefaultInfinity: true })
      return fc.oneof(any, fc.constantFrom(min, max, ...edges))
    }
    case 'boolean':
      return fc.boolean()
    case 'array':
      return fc.array(validish(s.items ?? {}), { maxLength: 3 })
    case 'object': {
      const props = s.properties ?? {}
      const shape = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validish(v, k)]))
      return fc
        .record(shape, { requiredKeys: s.required ?? [] })
        .map((o) => ({ ...o }))
        .filter((o) => Object.keys(o).length >= (s.minProperties ?? 0))
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** The JSON types `s` admits. */
function typesOf(s: Schema): Set<string> {
  const union = s.anyOf ?? s.oneOf
  const types = new Set<string>(union ? union.flatMap((u) => [...typesOf(u)]) : [])
  if (s.type) types.add(s.type === 'integer' ? 'number' : s.type)
  if (s.enum) for (const v of s.enum) types.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
  if (s.nullable) types.add('null')
  if (!union && !s.type && !s.enum)
    for (const t of ['string', 'number', 'boolean', 'object', 'array', 'null']) types.add(t)
  return types
}

const OF_TYPE: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.oneof(fc.constantFrom('', 'x', '1', 'true', 'null'), hostileText()),
  number: fc.constantFrom(...EDGE_NUMBERS),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
}

/**
 * Values `s` refuses, each breaking one rule it states: another JSON type, a
 * string too long or not of its format or pattern, a number out of range or
 * not whole, a value outside the enum. None when `s` states no rule to break.
 */
export function breaking(s: Schema): fc.Arbitrary<unknown>[] {
  const allowed = typesOf(s)
  const out: fc.Arbitrary<unknown>[] = []
  const wrongTypes = Object.keys(OF_TYPE).filter((t) => !allowed.has(t))
  if (wrongTypes.length) out.push(fc.oneof(...wrongTypes.map((t) => OF_TYPE[t]!)))
  if (s.enum && allowed.size === 1 && allowed.has('string')) out.push(hostileText().filter((x) => !s.enum!.includes(x)))
  if (s.maxLength !== undefined)
    out.push(fc.constantFrom('x'.repeat(s.maxLength + 1), '🦄'.repeat(s.maxLength + 1), 'é'.repeat(10_000)))
  if (s.minLength) out.push(fc.constant(''.padEnd(s.minLength - 1, 'x')))
  if (s.format === 'uuid')
    out.push(
      fc.oneof(
        hostileText(),
        fc.uuid().map((u) => `${u}\u0000`),
        fc.constant('0'),
      ),
    )
  if (s.format === 'date-time') out.push(fc.constantFrom(...BAD_DATE_TIMES))
  if (s.format === 'date') out.push(fc.constantFrom(...BAD_DATES))
  if (s.pattern) out.push(fc.oneof(nasty, fc.constant(' ')).filter((x) => !new RegExp(s.pattern!).test(x)))
  if (s.maximum !== undefined) out.push(fc.constantFrom(s.maximum + 1, 2 ** 63, 1e308))
  if (s.minimum !== undefined) out.push(fc.constantFrom(s.minimum - 1, -(2 ** 63), -1e308))
  if (s.type === 'integer') out.push(fc.constantFrom(0.5, 1.000001, -2.5))
  return out
}
