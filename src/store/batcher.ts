/**
 * Group commit for a store: calls that arrive while `maxInFlight` batches are
 * already running wait, and then go out together as ONE batch. At low load a
 * call goes out alone at once (no timer, no added latency); under a burst a
 * thousand calls become a few dozen statements, so a thousand marks cost a few
 * dozen round trips and WAL flushes instead of a thousand.
 *
 * `run` answers each input in order with its result or its own error, so one
 * refused input never fails the others; if `run` itself throws, every input
 * of that batch gets the error.
 */
export class Batcher<I, O> {
  private queue: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = []
  private inFlight = 0

  constructor(
    private readonly run: (inputs: I[]) => Promise<(O | Error)[]>,
    private readonly options: { maxInFlight: number; maxBatch: number },
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject })
      this.pump()
    })
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch)
      this.inFlight++
      this.run(batch.map((b) => b.input))
        .then(
          (results) =>
            batch.forEach((b, i) => {
              const r = results[i]
              if (r === undefined) b.reject(new Error('the batch gave no answer for this input'))
              else if (r instanceof Error) b.reject(r)
              else b.resolve(r)
            }),
          (err: unknown) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.inFlight--
          this.pump()
        })
    }
  }
}
