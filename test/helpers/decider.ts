import type { Test } from 'tap'
import { type Command, type Decider, type DomainEvent, DomainError, fold } from '../../src/domain/decider'

/**
 * Emmett-style decider specifications, no database needed:
 *
 *   given(t, userDecider, [signupRequested]).when(approve).then([approvalDecided])
 *   given(t, userDecider, []).when(approve).thenThrows('not_found')
 *
 * `then` returns the state after the new events, for a further look;
 * `thenThrows` requires a DomainError with exactly that code; `events()`
 * hands over what was decided (or throws what decide threw), for a partial
 * match or a look at one field.
 */
export function given<S, C extends Command, E extends DomainEvent>(
  t: Test,
  decider: Decider<S, C, E>,
  events: readonly E[],
) {
  return {
    when(command: C) {
      const state = fold(decider, events)
      return {
        events(): E[] {
          return decider.decide(command, state)
        },
        then(expected: readonly E[], message = 'decides these events'): S {
          let decided: E[]
          try {
            decided = decider.decide(command, state)
          } catch (err) {
            t.fail(`${message}: threw ${err instanceof DomainError ? err.code : String(err)}`)
            return state
          }
          t.same(decided, expected, message)
          return decided.reduce((s, e) => decider.evolve(s, e), state)
        },
        thenThrows(code: string, message = `refused: ${code}`): void {
          try {
            const decided = decider.decide(command, state)
            t.fail(`${message}: decided ${JSON.stringify(decided.map((e) => e.type))} instead`)
          } catch (err) {
            if (err instanceof DomainError) t.equal(err.code, code, message)
            else t.fail(`${message}: threw ${String(err)}, not a DomainError`)
          }
        },
      }
    },
  }
}
