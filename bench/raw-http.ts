import net from 'node:net'

/**
 * A lean HTTP/1.1 client for open-loop load: keep-alive sockets, requests
 * serialised before the run, responses read just far enough for the status.
 * The load generator shares the machine's two cores with the service and
 * PostgreSQL; node's http client spent a fifth of a core at 500 requests/s,
 * which the service then lacked. Only for fastify's replies: a Content-Length
 * body, no chunked encoding.
 */
export class RawHttpClient {
  private readonly idle: Conn[] = []
  private readonly waiting: { request: Buffer; resolve: (status: number) => void }[] = []

  constructor(
    private readonly port: number,
    private readonly host = '127.0.0.1',
  ) {}

  /** opens `n` connections up front, as phones on the hall's wifi would have */
  async open(n: number): Promise<void> {
    const conns = await Promise.all(Array.from({ length: n }, () => Conn.open(this.port, this.host)))
    for (const c of conns) this.release(c)
  }

  /** sends one pre-serialised request; resolves with the response's status (0 on a socket error) */
  send(request: Buffer): Promise<number> {
    return new Promise((resolve) => {
      const conn = this.idle.pop()
      if (conn) this.run(conn, request, resolve)
      else this.waiting.push({ request, resolve })
    })
  }

  close(): void {
    for (const c of this.idle) c.socket.destroy()
    this.idle.length = 0
  }

  private run(conn: Conn, request: Buffer, resolve: (status: number) => void): void {
    conn.request(request).then(
      (status) => {
        resolve(status)
        this.release(conn)
      },
      () => resolve(0),
    )
  }

  private release(conn: Conn): void {
    const next = this.waiting.shift()
    if (next) this.run(conn, next.request, next.resolve)
    else this.idle.push(conn)
  }
}

/** `POST path` with a JSON body and extra headers, as bytes */
export function postRequest(path: string, body: unknown, headers: Record<string, string>): Buffer {
  const data = Buffer.from(JSON.stringify(body))
  const head = [
    `POST ${path} HTTP/1.1`,
    'host: bench',
    'content-type: application/json',
    `content-length: ${data.length}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n')
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), data])
}

class Conn {
  private buffer: Buffer = Buffer.alloc(0)
  private pending: { resolve: (status: number) => void; reject: (e: Error) => void } | undefined

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err) => this.fail(err))
    socket.on('close', () => this.fail(new Error('connection closed')))
  }

  static open(port: number, host: string): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new Conn(socket)))
      socket.once('error', reject)
    })
  }

  request(bytes: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      // a socket the server closed while it sat idle (its keep-alive timeout) takes a
      // write silently, and nothing would ever answer: fail it now, as a socket error
      if (this.socket.destroyed || !this.socket.writable) return reject(new Error('connection closed'))
      this.pending = { resolve, reject }
      this.socket.write(bytes, (err) => err && this.fail(err))
    })
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const end = this.buffer.indexOf('\r\n\r\n')
    if (end < 0) return
    const head = this.buffer.subarray(0, end).toString('latin1')
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
    if (this.buffer.length < end + 4 + length) return
    this.buffer = this.buffer.subarray(end + 4 + length)
    const p = this.pending
    this.pending = undefined
    p?.resolve(Number(head.slice(9, 12)))
  }

  private fail(err: Error): void {
    const p = this.pending
    this.pending = undefined
    p?.reject(err)
  }
}
