import { type Decider, type DomainEvent, fold } from '../domain/decider'
import { type EventStore, type StreamGuard, WrongExpectedVersion } from '../store/event-store'
import { type CommandContext, type CommandDeps, metadataOf } from './context'

export interface Handled<S, E> {
  /** the state the decision was made on */
  before: S
  /** the state after the new events */
  after: S
  events: E[]
}

/** A stream's current state: its events folded by the decider (an empty stream is the initial state). */
export async function loadState<S, C, E extends DomainEvent>(
  store: Pick<EventStore, 'readStream'>,
  stream: string,
  decider: Decider<S, C, E>,
): Promise<S> {
  return (await loadStateAt(store, stream, decider)).state
}

/** The state and the revision it was read at: what an append that rests on it expects (or guards). */
export async function loadStateAt<S, C, E extends DomainEvent>(
  store: Pick<EventStore, 'readStream'>,
  stream: string,
  decider: Decider<S, C, E>,
): Promise<{ state: S; revision: bigint | 'no_stream' }> {
  const stored = await store.readStream(stream)
  return {
    state: fold(decider, stored as unknown as E[]),
    revision: stored.length === 0 ? 'no_stream' : stored[stored.length - 1]!.revision,
  }
}

/**
 * The one command path: load the stream → fold → decide → append with the
 * revision that was read. A concurrent writer makes the append fail with
 * WrongExpectedVersion; the whole decision is then remade on fresh state, so
 * an invariant is judged by the store, never by a read model.
 */
export async function handleCommand<S, C, E extends DomainEvent>(
  deps: CommandDeps,
  stream: string,
  decider: Decider<S, C, E>,
  command: C,
  ctx: CommandContext,
  attempts = 5,
): Promise<Handled<S, E>> {
  for (let attempt = 1; ; attempt++) {
    const { state: before, revision: expectedRevision } = await loadStateAt(deps.store, stream, decider)
    const events = decider.decide(command, before)
    if (events.length === 0) return { before, after: before, events }
    try {
      await deps.store.append(
        stream,
        events.map((e) => ({ id: deps.sources.uuid(), type: e.type, data: e.data, metadata: metadataOf(ctx) })),
        { expectedRevision },
      )
      return { before, after: events.reduce((s, e) => decider.evolve(s, e), before), events }
    } catch (err) {
      if (!(err instanceof WrongExpectedVersion) || attempt >= attempts) throw err
    }
  }
}

/** Appends a fact that needs no decision (a refusal, a login attempt) to a log stream. */
export async function record(
  deps: CommandDeps,
  stream: string,
  event: DomainEvent,
  ctx: CommandContext,
  guard?: StreamGuard,
): Promise<void> {
  await deps.store.append(
    stream,
    [{ id: deps.sources.uuid(), type: event.type, data: event.data, metadata: metadataOf(ctx) }],
    { expectedRevision: 'any', guard },
  )
}
