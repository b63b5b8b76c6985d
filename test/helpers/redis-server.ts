import { type ChildProcess, spawn } from 'node:child_process'
import { Redis } from 'ioredis'

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A Redis server of this test file's own, which it may stop and start again:
 * an outage of the shared one (127.0.0.1:6379) would hit every file running
 * beside it. Same port across restarts, so clients reconnect by themselves;
 * nothing kept on disk, as on the machine's own server.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined
  readonly url: string

  private constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`
  }

  static async start(t: Teardown): Promise<PrivateRedis> {
    // below the ephemeral range, clear of the machine's services (see helpers/processes.ts)
    const server = new PrivateRedis(20000 + Math.floor(Math.random() * 10000))
    t.teardown(() => server.stop())
    await server.resume()
    return server
  }

  /** Starts the server (again) and resolves once it answers PING. */
  async resume(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp'],
      { stdio: 'ignore' },
    )
    const deadline = Date.now() + 10_000
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      probe.on('error', () => undefined)
      const up = await probe
        .connect()
        .then(() => probe.ping())
        .then(() => true)
        .catch(() => false)
      probe.disconnect()
      if (up) return
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  /** Kills the server at once, as a crash or a lost host would, and waits for it to be gone. */
  async stop(): Promise<void> {
    const child = this.child
    this.child = undefined
    if (!child || child.exitCode !== null) return
    const gone = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await gone
  }
}
