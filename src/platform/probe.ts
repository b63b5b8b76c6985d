/** A dependency as a process sees it: answering, not answering, or not part of this deployment. */
export type DependencyState = 'up' | 'down' | 'not_configured'

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    p,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms))),
  ]).finally(() => clearTimeout(timer))
}

/** `check` resolving within a second is `up`; failing or slower, `down` (a readiness probe must not hang). */
export async function probe(check: () => Promise<unknown>): Promise<DependencyState> {
  try {
    await within(1000, check())
    return 'up'
  } catch {
    return 'down'
  }
}
