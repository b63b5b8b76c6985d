import type { FastifyReply, FastifyRequest } from 'fastify'
import type { SessionPositions } from '../../platform/session-positions'
import type { Metrics } from '../../platform/metrics'
import type { BuildWatch } from '../../projections/building'
import type { CheckpointBoard } from '../../projections/checkpoint-board'
import type { ReadModel } from '../../projections/index'
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  Position,
  ReadAllOptions,
  SubscribeOptions,
} from '../../store/event-store'
import { errors } from '../errors'
import type { App } from '../types'

/** The header that carries a consistency token: on a write's response, and on any request that wants its guarantee. */
const CONSISTENCY_TOKEN = 'consistency-token'
/** On a read that gave up waiting: the read models that had not reached the token yet. */
const CONSISTENCY_STALE = 'consistency-stale'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The read models the route answers from: a read waits until each has
     * passed the caller's last write (or the token the request carries).
     */
    reads?: readonly ReadModel[]
  }
  interface FastifyRequest {
    /** the position of the last event this request appended, if any */
    written: Position | undefined
    /** `deps` with a store that notes what this request appends (its response then carries the token) */
    tracked<D extends { store: EventStore }>(deps: D): D
  }
}

const TOKEN_DOC = {
  type: 'string',
  maxLength: 64,
  description:
    'The position of the last event this request appended. Send it back on a read to see this write (your own session sees its writes anyway).',
}
const READ_DOC = `A ${CONSISTENCY_TOKEN} from an earlier write: the answer waits until it reflects that write (at most READ_YOUR_WRITES_TIMEOUT_MS; then ${CONSISTENCY_STALE} names what lags).`

export interface ConsistencyDeps {
  store: EventStore
  board: CheckpointBoard
  /** the read models being built from position 0: their routes answer 503 meanwhile */
  builds?: BuildWatch
  sessions: SessionPositions
  metrics: Metrics
  /** READ_YOUR_WRITES_TIMEOUT_MS */
  timeoutMs: number
}

/**
 * Read-your-writes (docs/architecture.md §6): every successful command's
 * response carries the global position of the last event it appended, and a
 * signed-in session's last write is remembered; a read of a route that
 * declares its read models waits until they have all passed that position
 * (or the token the request sends back), for at most `timeoutMs`, then
 * answers with what they have and says so.
 */
export function registerConsistency(app: App, deps: ConsistencyDeps): void {
  const { store, board, builds, sessions, metrics, timeoutMs } = deps
  app.decorateRequest('written', undefined)
  app.decorateRequest('tracked', function tracked<D extends { store: EventStore }>(this: FastifyRequest, d: D): D {
    return { ...d, store: new NotingStore(this, d.store) }
  })

  // the OpenAPI document says it: writes answer with the token, declared reads take one
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { headers?: unknown; response?: Record<string, object> } | undefined
    if (!schema || !route.url.startsWith('/api/')) return
    const methods = [route.method].flat()
    if (methods.some((m) => m === 'POST' || m === 'PATCH' || m === 'PUT' || m === 'DELETE')) {
      for (const [status, response] of Object.entries(schema.response ?? {})) {
        if (/^2/.test(status)) schema.response![status] = { ...response, headers: { [CONSISTENCY_TOKEN]: TOKEN_DOC } }
      }
    }
    if (route.config?.reads?.length && schema.headers === undefined) {
      schema.headers = {
        type: 'object',
        properties: { [CONSISTENCY_TOKEN]: { ...TOKEN_DOC, description: READ_DOC } },
      }
    }
  })

  // a callback hook: most routes read no model, and cost no promise here
  app.addHook('preHandler', (request, reply, done) => {
    const reads = request.routeOptions.config.reads
    if (!reads?.length) return done()
    // a table being built from position 0 holds part of the history: no answer beats a wrong one
    const building = builds?.among(reads)
    if (building?.length) return done(stillBuilding(building))
    waitForWrites(request, reply, reads).then(() => done(), done)
  })

  async function waitForWrites(request: FastifyRequest, reply: FastifyReply, reads: readonly ReadModel[]) {
    const wanted = await positionWanted(request, store, sessions)
    // the fast path: nothing pending, or already passed — a memory lookup
    if (wanted === undefined || board.passed(reads, wanted)) return
    const started = performance.now()
    const caughtUp = await board.waitFor(reads, wanted, timeoutMs)
    metrics.readYourWritesWaits.observe(
      { outcome: caughtUp ? 'caught_up' : 'timeout' },
      (performance.now() - started) / 1000,
    )
    if (!caughtUp) reply.header(CONSISTENCY_STALE, board.behind(reads, wanted).join(', '))
  }

  // a callback hook: the many responses that wrote nothing cost no promise
  app.addHook('onSend', (request, reply: FastifyReply, payload, done) => {
    const written = request.written
    if (written === undefined || reply.statusCode >= 300) return done(null, payload)
    reply.header(CONSISTENCY_TOKEN, written)
    const session = request.caller?.session_id
    if (!session) return done(null, payload)
    sessions.wrote(session, written).then(
      () => done(null, payload),
      (err: Error) => done(err),
    )
  })
}

/** `store`, with every append's position noted on the request (the later one wins). */
class NotingStore implements EventStore {
  readonly kind: EventStore['kind']

  constructor(
    private readonly request: FastifyRequest,
    private readonly store: EventStore,
  ) {
    this.kind = store.kind
  }

  async append(...args: Parameters<EventStore['append']>): Promise<AppendResult> {
    const r = await this.store.append(...args)
    const before = this.request.written
    if (before === undefined || this.store.compare(r.position, before) > 0) this.request.written = r.position
    return r
  }

  readStream(stream: string) {
    return this.store.readStream(stream)
  }
  readAll(options?: ReadAllOptions) {
    return this.store.readAll(options)
  }
  subscribe(options: SubscribeOptions, handler: BatchHandler) {
    return this.store.subscribe(options, handler)
  }
  head() {
    return this.store.head()
  }
  compare(a: Position, b: Position) {
    return this.store.compare(a, b)
  }
  ping() {
    return this.store.ping()
  }
  close() {
    return this.store.close()
  }
}

/** The later of the caller's last write and the token the request carries. */
async function positionWanted(
  request: FastifyRequest,
  store: EventStore,
  sessions: SessionPositions,
): Promise<Position | undefined> {
  const header = request.headers[CONSISTENCY_TOKEN]
  let token: Position | undefined
  if (header !== undefined) {
    if (typeof header !== 'string' || header.length > 64) throw badToken()
    try {
      store.compare(header, header) // throws when it is not a position of this store
    } catch {
      throw badToken()
    }
    token = header
  }
  const session = request.caller?.session_id
  const last = session ? await sessions.lastWrite(session) : undefined
  if (token === undefined) return last
  if (last === undefined) return token
  return store.compare(token, last) >= 0 ? token : last
}

/** How long a client waits before asking again: a campus's read side builds in a few minutes (docs/scaling.md). */
const BUILD_RETRY_SECONDS = 5

const stillBuilding = (names: readonly string[]) =>
  errors.readModelBuilding(
    { building: names },
    { 'retry-after': String(BUILD_RETRY_SECONDS) },
    `Being built from the start of the history, and not yet whole: ${names.join(', ')}. Retry in a few seconds`,
  )

const badToken = () =>
  errors.validation(undefined, undefined, `${CONSISTENCY_TOKEN} is not a position this service handed out`)
