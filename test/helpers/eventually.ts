/**
 * Polls `check` until it returns true (or throws after timeoutMs). The
 * default is patient on purpose: the feed is gap-safe cluster-wide, so a
 * transaction another test file holds open (some hold one for seconds, on
 * purpose) holds back every projection in every test database: in a full
 * run on two cores, a rebuild that takes one second alone was not done in 15.
 * A check that holds returns at once; only a failure waits the whole bound.
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  everyMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
