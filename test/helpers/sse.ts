import http from 'node:http'
import { eventually } from './eventually'

/** A Server-Sent Events client over a real HTTP connection, parsing the text as a browser would. */
export interface SseEvent {
  id: string | undefined
  event: string | undefined
  data: string
}

export class SseConnection {
  readonly events: SseEvent[] = []
  comments = 0
  ended = false
  private buffer = ''

  private constructor(
    readonly status: number,
    readonly headers: http.IncomingHttpHeaders,
    readonly body: string,
    private readonly req: http.ClientRequest,
  ) {}

  /** Opens `path` on 127.0.0.1:port; a non-200 answer is read whole into `body`. */
  static open(port: number, path: string, headers: Record<string, string> = {}): Promise<SseConnection> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } },
        (res) => {
          res.setEncoding('utf8')
          if (res.statusCode !== 200) {
            let body = ''
            res.on('data', (c: string) => (body += c))
            res.on('end', () => resolve(new SseConnection(res.statusCode ?? 0, res.headers, body, req)))
            return
          }
          const conn = new SseConnection(200, res.headers, '', req)
          res.on('data', (c: string) => conn.feed(c))
          res.on('end', () => (conn.ended = true))
          res.on('close', () => (conn.ended = true))
          resolve(conn)
        },
      )
      req.on('error', reject)
    })
  }

  private feed(chunk: string): void {
    this.buffer += chunk.replace(/\r\n?/g, '\n')
    let end: number
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end)
      this.buffer = this.buffer.slice(end + 2)
      const fields: Record<string, string[]> = {}
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments++
          continue
        }
        const i = line.indexOf(':')
        const name = i < 0 ? line : line.slice(0, i)
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '')
        ;(fields[name] ??= []).push(value)
      }
      if (fields.data)
        this.events.push({ id: fields.id?.at(-1), event: fields.event?.at(-1), data: fields.data.join('\n') })
    }
  }

  /** Waits until at least `n` events have arrived. */
  async received(n: number, timeoutMs = 5000): Promise<SseEvent[]> {
    await eventually(() => this.events.length >= n, timeoutMs, 5)
    return this.events.slice(0, n)
  }

  json(i: number): { id: string; type: string; title: string; data: Record<string, unknown>; read_at: string | null } {
    return JSON.parse(this.events[i]!.data)
  }

  close(): void {
    this.req.destroy()
  }
}
