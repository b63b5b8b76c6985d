import type { RefusalCode } from './refusals'

/**
 * The shape of every aggregate (Emmett-style): `evolve` folds past events into
 * state, `decide` turns a command and the current state into new events or
 * throws a DomainError. Both are pure: time, ids and randomness arrive inside
 * the command.
 */
export interface DomainEvent<T extends string = string, D extends object = object> {
  type: T
  data: D
}

/** Who asks and when. `now` is the only clock a decider ever sees. */
export interface CommandMetadata {
  /** the person asking; null when nobody is (the system, a stranger signing up) */
  actor_id: string | null
  now: Date
}

/** The actor of what the system does by itself (the bootstrap admin, imported history whose actor is unknown). */
export const SYSTEM_ACTOR = '00000000-0000-0000-0000-000000000000'

/** The metadata of a command only a signed-in person can give (an admin editing a club event). */
export interface ActorMetadata extends CommandMetadata {
  actor_id: string
}

/** Every command of every aggregate: an imperative type, its data, and who asked when. */
export interface Command<
  T extends string = string,
  D extends object = object,
  M extends CommandMetadata = CommandMetadata,
> {
  type: T
  data: D
  metadata: M
}

export interface Decider<State, C extends Command, Event extends DomainEvent> {
  initialState(): State
  evolve(state: State, event: Event): State
  decide(command: C, state: State): Event[]
}

/**
 * A refused command. `code` is one of the domain's refusal codes
 * (domain/refusals.ts); the API alone decides which HTTP status it becomes.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError'
  constructor(
    readonly code: RefusalCode,
    message: string,
    /** extra fields for the response body (e.g. the approval request) */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce((s, e) => decider.evolve(s, e), decider.initialState())
}

/** For exhaustive switches: the compiler proves the default is unreachable. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`)
}
