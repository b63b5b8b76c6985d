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

export interface Decider<State, Command, Event extends DomainEvent> {
  initialState(): State
  evolve(state: State, event: Event): State
  decide(command: Command, state: State): Event[]
}

/** A refused command. `code` is the API's machine-readable error code. */
export class DomainError extends Error {
  override readonly name = 'DomainError'
  constructor(
    readonly code: string,
    message: string,
    /** extra fields for the response body (e.g. the approval request) */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce((s, e) => decider.evolve(s, e), decider.initialState())
}

/** For exhaustive switches: the compiler proves the default is unreachable. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`)
}
