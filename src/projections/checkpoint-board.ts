import type { Position } from '../store/event-store'

interface Waiter {
  names: readonly string[]
  position: Position
  resolve(caughtUp: boolean): void
}

/**
 * How far each read model of the deployment has dealt with the feed, as this
 * process knows it: from its own runners as they go, and from the runners of
 * other processes through their announcements (checkpoint-announcements.ts).
 * A read that must reflect a write waits here, in memory, until every read
 * model it reads has passed the write's position.
 *
 * Positions only move forward: an announcement that arrives late (or the
 * table read at start, which an idle runner writes only now and then) never
 * takes a read model back.
 */
export class CheckpointBoard {
  private readonly known = new Map<string, Position>()
  private readonly waiters = new Set<Waiter>()

  constructor(
    private readonly compare: (a: Position, b: Position) => number,
    /** called when a read starts waiting: the runners may hurry */
    private readonly onWait: () => void = () => undefined,
  ) {}

  /** a runner, here or elsewhere, has dealt with the feed up to `position` */
  advance(name: string, position: Position): void {
    const before = this.known.get(name)
    if (before !== undefined && this.compare(position, before) <= 0) return
    this.known.set(name, position)
    for (const w of this.waiters) {
      if (w.names.includes(name) && this.passed(w.names, w.position)) {
        this.waiters.delete(w)
        w.resolve(true)
      }
    }
  }

  /** whether every one of `names` has dealt with the feed up to `position` */
  passed(names: readonly string[], position: Position): boolean {
    return names.every((n) => {
      const at = this.known.get(n)
      return at !== undefined && this.compare(at, position) >= 0
    })
  }

  /** the read models among `names` that have not reached `position` */
  behind(names: readonly string[], position: Position): string[] {
    return names.filter((n) => !this.passed([n], position))
  }

  /** resolves true once every one of `names` has passed `position`, false after `timeoutMs` */
  waitFor(names: readonly string[], position: Position, timeoutMs: number): Promise<boolean> {
    if (this.passed(names, position)) return Promise.resolve(true)
    return new Promise((resolve) => {
      const waiter: Waiter = {
        names,
        position,
        resolve: (caughtUp) => {
          clearTimeout(timer)
          resolve(caughtUp)
        },
      }
      const timer = setTimeout(() => {
        this.waiters.delete(waiter)
        resolve(false)
      }, timeoutMs)
      this.waiters.add(waiter)
      this.onWait()
    })
  }
}
