import { type Command, type Decider, type DomainEvent, fold } from '../domain/decider'
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type StoredEvent,
  type StreamGuard,
  WrongExpectedVersion,
} from '../store/event-store'
import { type CommandContext, type CommandDeps, type Sources, metadataOf } from './context'

export interface Handled<S, E> {
  /** the state the decision was made on */
  before: S
  /** the state after the new events */
  after: S
  events: E[]
}

/** A stream's current state: its events folded by the decider (an empty stream is the initial state). */
export async function loadState<S, E extends DomainEvent>(
  store: Pick<EventStore, 'readStream'>,
  stream: string,
  decider: Decider<S, never, E>,
): Promise<S> {
  return (await loadStateAt(store, stream, decider)).state
}

/**
 * Events read back from a stream as the decider's own type. The store keeps
 * whatever was appended to the stream, and only this stream's decider (through
 * handleCommand) appends to it, so its events are the decider's.
 */
const asDecided = <E extends DomainEvent>(stored: StoredEvent[]): E[] => stored as unknown as E[]

/** The state and the revision it was read at: what an append that rests on it expects (or guards). */
export async function loadStateAt<S, E extends DomainEvent>(
  store: Pick<EventStore, 'readStream'>,
  stream: string,
  decider: Decider<S, never, E>,
): Promise<{ state: S; revision: bigint | 'no_stream' }> {
  const stored = await store.readStream(stream)
  return {
    state: fold(decider, asDecided<E>(stored)),
    revision: stored.length === 0 ? 'no_stream' : stored[stored.length - 1]!.revision,
  }
}

/**
 * The path of every command that decides on an aggregate's own stream: load
 * the stream → fold → decide → append with the revision that was read. A
 * concurrent writer makes the append fail with WrongExpectedVersion; the
 * decision is then remade on fresh state (up to `attempts` times, then the
 * error goes to the caller), so the aggregate's invariants are judged by the
 * store alone. Facts that need no decision (a login attempt, a refusal) are
 * appended by `record`; a mark, whose one invariant is a `no_stream` append of
 * its own, appends directly.
 */
export async function handleCommand<S, C extends Command, E extends DomainEvent>(
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
      await deps.store.append(stream, events.map(toNewEvent(deps.sources, ctx)), { expectedRevision })
      return { before, after: events.reduce((s, e) => decider.evolve(s, e), before), events }
    } catch (err) {
      if (!(err instanceof WrongExpectedVersion) || attempt >= attempts) throw err
    }
  }
}

/** A domain event as the store takes it: a fresh id, and the request's provenance as metadata. */
const toNewEvent =
  (sources: Sources, ctx: CommandContext) =>
  (e: DomainEvent): NewEvent => ({ id: sources.uuid(), type: e.type, data: e.data, metadata: metadataOf(ctx) })

/** What can append: the store itself, or a writer bound to a guard. */
export type Appender = Pick<EventStore, 'append'>

/** Appends a fact that needs no decision (a refusal, a login attempt) to a log stream. */
export async function record(
  deps: { store: Appender; sources: Sources },
  stream: string,
  event: DomainEvent,
  ctx: CommandContext,
): Promise<void> {
  await deps.store.append(stream, [toNewEvent(deps.sources, ctx)(event)], { expectedRevision: 'any' })
}

/**
 * An appender whose every append holds only if the guard stream is still at
 * the guarded revision (checked by the store in the append itself). The only
 * writer a command that rests on a cached read (the mark route's caller) is
 * given: it has no way to append unguarded.
 */
export interface GuardedAppender extends Appender {
  readonly guard: StreamGuard
}

export function guardedAppender(store: Appender, guard: StreamGuard): GuardedAppender {
  return {
    guard,
    append: (
      stream: string,
      events: NewEvent[],
      options: { expectedRevision: ExpectedRevision },
    ): Promise<AppendResult> => store.append(stream, events, { expectedRevision: options.expectedRevision, guard }),
  }
}
