import { Type } from '@sinclair/typebox'
import fc from 'fast-check'
import fastJsonStringify from 'fast-json-stringify'
import type { RouteOptions } from 'fastify'
import t from 'tap'
import { buildApp } from '../../src/api/app'
import { typedUnions } from '../../src/api/plugins/serialization'
import { Nullable } from '../../src/api/schemas'
import { testRuntime } from '../helpers/runtime'

type Schema = Record<string, unknown> & {
  type?: string | string[]
  anyOf?: Schema[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
}

/** Values a response schema admits, as handlers return them (a date-time as a string or a Date). */
function values(s: Schema): fc.Arbitrary<unknown> {
  if (s.anyOf) return fc.oneof(...s.anyOf.map(values))
  if ('const' in s) return fc.constant(s.const)
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]))
  switch (s.type) {
    case 'null':
      return fc.constant(null)
    case 'string':
      if (s.format === 'date-time')
        return fc
          .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .chain((d) => fc.constantFrom<unknown>(d, d.toISOString()))
      if (s.format === 'uuid') return fc.uuid()
      // values the schema admits: a union's validator refuses the others, a type writes them
      if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length <= 200)
      return fc.string({ unit: 'binary', maxLength: 12 })
    case 'integer':
      return fc.integer()
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true })
    case 'boolean':
      return fc.boolean()
    case 'array':
      return fc.array(values(s.items ?? {}), { maxLength: 3 })
    case 'object': {
      const shape = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, values(v)]))
      return fc.record(shape, { requiredKeys: s.required ?? [] })
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** What a serializer writes, or that it refused. */
const written = (serialize: (v: unknown) => string, v: unknown) => {
  try {
    return serialize(v)
  } catch {
    return 'refused'
  }
}

const hasUnion = (s: unknown): boolean =>
  typeof s === 'object' && s !== null && ('anyOf' in s || Object.values(s).some(hasUnion))

t.test('unions a JSON type tells apart are written as types; the rest stay unions', async (t) => {
  const Status = Type.Union([Type.Literal('scheduled'), Type.Literal('cancelled')])
  t.same(typedUnions(Nullable(Type.String({ format: 'date-time' }))), { type: ['string', 'null'], format: 'date-time' })
  t.same(typedUnions(Status), { type: 'string', enum: ['scheduled', 'cancelled'] }, 'literals of one type: an enum')
  t.same(typedUnions(Nullable(Status)), { type: ['string', 'null'], enum: ['scheduled', 'cancelled'] }, 'nested')
  t.same(
    typedUnions(Nullable(Type.Literal('only'))),
    { type: ['string', 'null'], enum: ['only'] },
    'a lone literal beside null is an enum: a const would be written for the null too',
  )
  t.same(
    typedUnions(Type.Union([Type.Object({ items: Type.Array(Type.String()) }), Type.Array(Type.Integer())])),
    {
      type: ['object', 'array'],
      properties: { items: { type: 'array', items: { type: 'string' } } },
      required: ['items'],
      items: { type: 'integer' },
    },
    'a page beside a bare list',
  )
  const twoObjects = Type.Union([Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })])
  t.ok(hasUnion(typedUnions(twoObjects)), 'two objects: only a validator tells them apart')
  t.ok(
    hasUnion(typedUnions(Type.Union([Type.String({ default: 'a' }), Type.Null({ default: null })]))),
    'a keyword both set',
  )
  t.equal(fastJsonStringify(typedUnions(Nullable(Type.Literal('only'))) as object)(null), 'null')
})

t.test('every response of every route is written as its schema’s own serializer writes it', async (t) => {
  const runtime = await testRuntime(t)
  const collected: RouteOptions[] = []
  const app = await buildApp(runtime, { onRoute: (r) => collected.push(r) })
  t.teardown(() => app.close())
  await app.ready()
  const responses = collected.flatMap((r) =>
    Object.entries((r.schema?.response ?? {}) as Record<string, Schema>).map(([status, schema]) => ({
      what: `${String(r.method)} ${r.url} ${status}`,
      schema,
    })),
  )
  t.ok(responses.length > 100, `${responses.length} response schemas`)
  const unions: string[] = []
  const failures: string[] = []
  for (const { what, schema } of responses) {
    const typed = typedUnions(schema)
    if (hasUnion(typed)) unions.push(what)
    const before = fastJsonStringify(schema as object)
    const after = fastJsonStringify(typed as object)
    const run = fc.check(
      fc.property(values(schema), (v) => written(before, v) === written(after, v)),
      { numRuns: 30 },
    )
    if (run.failed) {
      const v = run.counterexample![0]
      failures.push(`${what}: ${written(before, v)} against ${written(after, v)}`)
    }
  }
  t.same(failures, [], 'the same text for every value, or refused by both')
  t.same(unions, [], 'no response is left to a validator at serialization')
})
