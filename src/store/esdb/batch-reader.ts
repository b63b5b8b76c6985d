import type { Readable } from 'node:stream'

/**
 * Reads an object-mode stream in batches: whatever is buffered, up to a limit,
 * as soon as there is at least one item. Nothing is read while the caller is
 * busy with a batch, so the stream's own backpressure holds the server back.
 * Errors and the end are recorded at once (an 'error' with no listener would
 * crash the process) and reported after the items buffered before them.
 */
export class BatchReader<T> {
  private failure: Error | undefined
  private ended = false
  private wake: (() => void) | undefined

  constructor(private readonly stream: Readable) {
    const notify = () => this.wake?.()
    stream.on('error', (err: Error) => {
      this.failure ??= err
      notify()
    })
    stream.on('end', () => {
      this.ended = true
      notify()
    })
    stream.on('close', () => {
      this.ended = true
      notify()
    })
    stream.on('readable', notify)
  }

  /** 1..limit items; null once the stream has ended or `signal` is aborted; throws the stream's error */
  async next(limit: number, signal?: AbortSignal): Promise<T[] | null> {
    for (;;) {
      if (signal?.aborted) return null
      const batch: T[] = []
      while (batch.length < limit) {
        const item = this.stream.read() as T | null
        if (item === null) break
        batch.push(item)
      }
      if (batch.length > 0) return batch
      if (this.failure) throw this.failure
      if (this.ended) return null
      await new Promise<void>((resolve) => {
        const done = () => {
          this.wake = undefined
          signal?.removeEventListener('abort', done)
          resolve()
        }
        this.wake = done
        signal?.addEventListener('abort', done)
      })
    }
  }
}
