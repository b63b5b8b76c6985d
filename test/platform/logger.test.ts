import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { createLogger } from '../../src/platform/logger'
import { testApp } from '../helpers/runtime'

/**
 * What the HTTP parser refuses never reaches fastify's routes: node hands the
 * error to `clientError` with the bytes it had read (`err.rawPacket`), and
 * fastify logs that error at trace. Those bytes are whatever the client sent,
 * credentials included, so they must not be logged in any form.
 */
const PASSWORD = 'Plum-Velvet-48-Orchard!'
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0cmFjZS10ZXN0In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg'

/** `s` as a run of byte values, the way a Buffer turns into JSON (`"data":[80,108,…]`). */
const asBytes = (s: string) => [...Buffer.from(s)].join(',')

function send(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.on('data', (d) => (answer += d.toString()))
    socket.on('error', reject)
    socket.on('close', () => resolve(answer))
    socket.end(raw)
  })
}

t.test('at LOG_LEVEL=trace a request the parser rejects is logged without its bytes', async (t) => {
  const logged: string[] = []
  const logger = createLogger({ logLevel: 'trace' }, 'dscp', { write: (line: string) => void logged.push(line) })
  const { app } = await testApp(t, { logger, redis: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo

  const body = JSON.stringify({ email: 'trace@club.example.org', password: PASSWORD })
  const malformed = [
    // two different lengths: the parser refuses the request before any route sees it
    `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 3\r\n\r\n${body}`,
    // a control character in a header value
    `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nX-Bad: a\u0001b\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  ]
  for (const raw of malformed) t.match(await send(port, raw), /^HTTP\/1\.1 400 /, 'refused by the parser')

  const text = logged.join('')
  t.match(text, /client error/, 'the refusal itself is logged')
  for (const secret of [PASSWORD, TOKEN]) {
    t.notOk(text.includes(secret), 'no secret as text')
    t.notOk(text.includes(asBytes(secret)), 'no secret as byte values')
    t.notOk(text.includes(Buffer.from(secret).toString('base64')), 'no secret as base64')
  }
  t.notOk(text.includes('rawPacket'), 'the raw packet is not logged at all')
})
