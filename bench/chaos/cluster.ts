import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../root'
import { whenReady } from '../server'

interface Member {
  role: string
  port: number
  child: ChildProcess
  /** killed on purpose: its exit is not a crash */
  killed: boolean
}

/**
 * The service as deployed: several processes of the built entry point
 * (dist/main.js) on one PostgreSQL and one Redis, each known by a name
 * (api-1, projector-2, …). It keeps track of every exit it did not cause:
 * those are the crashes the chaos run counts.
 */
export class Cluster {
  private readonly members = new Map<string, Member>()
  readonly crashes: { name: string; code: number | null; signal: string | null; output: string }[] = []
  private readonly main = join(ROOT, 'dist', 'main.js')

  constructor(private readonly env: Record<string, string>) {}

  /** Starts (or restarts) `name` in `role` and resolves once it answers /ready with a 200. */
  async start(name: string, role: string): Promise<void> {
    const port = this.members.get(name)?.port ?? this.freshPort()
    let output = ''
    const child = spawn(process.execPath, [this.main, role], {
      env: { ...process.env, ...this.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const member: Member = { role, port, child, killed: false }
    child.stdout!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)))
    child.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)))
    child.once('exit', (code, signal) => {
      if (!member.killed) this.crashes.push({ name, code, signal, output })
    })
    this.members.set(name, member)
    await whenReady(this.url(name), child, 60_000, () => `(${name}): ${output}`)
  }

  /**
   * A port of this cluster's own, the same across restarts. Below the ephemeral range (32768+) and
   * above the ones test files take at random (service processes 10000–19999, private Redis servers
   * 20000–29999, which this range used to share: a restarted projector found its port taken, CI
   * once), and none of another member's.
   */
  private freshPort(): number {
    const taken = new Set([...this.members.values()].map((m) => m.port))
    for (;;) {
      const port = 30000 + Math.floor(Math.random() * 2700)
      if (!taken.has(port)) return port
    }
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.members.get(name)!.port}`
  }

  /** SIGKILL: no drain, no goodbye, as the OOM killer or a lost host would do it. */
  async kill9(name: string): Promise<void> {
    const m = this.members.get(name)!
    m.killed = true
    if (m.child.exitCode !== null || m.child.signalCode !== null) return
    const gone = new Promise((r) => m.child.once('exit', r))
    m.child.kill('SIGKILL')
    await gone
  }

  async restart(name: string): Promise<void> {
    await this.start(name, this.members.get(name)!.role)
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.members.keys()].map((name) => this.kill9(name)))
  }
}
