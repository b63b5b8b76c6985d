import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { testApp } from '../helpers/runtime'

/**
 * A client that sends its request slowly holds a socket and a parser; without
 * bounds one trickling byte a second keeps it forever. Each case opens a real
 * socket, dribbles, and times how long the server waits before cutting it off.
 */
const REQUEST_TIMEOUT_MS = 600
const HEADERS_TIMEOUT_MS = 400
// the bound plus node's check interval, plus slack for a busy machine
const CUT_OFF_WITHIN_MS = 3000

interface Outcome {
  ms: number
  answer: string
  /** still open when we gave up */
  open: boolean
}

/** Writes `head` then one byte of `drip` every 50 ms; resolves when the server closes or after `giveUpMs`. */
function dribble(port: number, head: string, drip: string, giveUpMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    let i = 0
    const timer = setInterval(() => {
      if (!socket.writable) return
      socket.write(drip[i++ % drip.length]!)
    }, 50)
    const done = (open: boolean) => {
      clearInterval(timer)
      clearTimeout(giveUp)
      socket.destroy()
      resolve({ ms: Date.now() - started, answer, open })
    }
    const giveUp = setTimeout(() => done(true), giveUpMs)
    socket.on('data', (d) => (answer += d.toString()))
    socket.on('error', () => undefined)
    socket.on('close', () => done(false))
    socket.write(head)
  })
}

t.test('slow requests are cut off within the configured bounds', async (t) => {
  const { app } = await testApp(t, {
    redis: false,
    env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) },
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo

  await t.test('a body that trickles in is answered 408 and the socket closed', async (t) => {
    const head =
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{'
    const r = await dribble(port, head, ' ', CUT_OFF_WITHIN_MS + 2000)
    t.notOk(r.open, `closed by the server (after ${r.ms} ms)`)
    t.ok(r.ms >= REQUEST_TIMEOUT_MS - 50, `not before the bound (${r.ms} ms)`)
    t.ok(r.ms < CUT_OFF_WITHIN_MS, `within ${CUT_OFF_WITHIN_MS} ms (${r.ms} ms)`)
    t.match(r.answer, /^HTTP\/1\.1 408 /, 'told why')
  })

  await t.test('headers that trickle in are cut off too', async (t) => {
    const r = await dribble(port, 'GET /health HTTP/1.1\r\nHost: x\r\n', 'X-Slow: a\r\n', CUT_OFF_WITHIN_MS + 2000)
    t.notOk(r.open, `closed by the server (after ${r.ms} ms)`)
    t.ok(r.ms < CUT_OFF_WITHIN_MS, `within ${CUT_OFF_WITHIN_MS} ms (${r.ms} ms)`)
  })

  await t.test('a prompt request is unaffected', async (t) => {
    const res = await fetch(`http://127.0.0.1:${port}/health`)
    t.equal(res.status, 200)
  })
})

t.test('the defaults bound every request', async (t) => {
  const { app } = await testApp(t, { redis: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const s = app.server
  t.equal(s.requestTimeout, 30_000, 'requestTimeout')
  t.equal(s.headersTimeout, 10_000, 'headersTimeout')
  t.equal(s.keepAliveTimeout, 72_000, 'keepAliveTimeout')
  t.equal(s.timeout, 120_000, 'connectionTimeout: an idle socket is closed')
})
