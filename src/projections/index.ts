import type { Consumer } from './projection'

/** Every projection and reactor the projector role runs. */
export function consumers(): Consumer[] {
  return []
}
