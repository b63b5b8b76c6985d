import { type DestinationStream, pino, type Logger } from 'pino'
import type { Config } from '../config'

export type { Logger }

/**
 * Secrets never reach the logs: authorization headers, cookies and any field
 * named like a secret are censored wherever they appear in a log object, and
 * a logged request's URL loses the credentials a link carries.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.password_hash',
  '*.refresh_token',
  '*.access_token',
  '*.token',
  '*.secret',
]

/**
 * An error as pino would log it, less any bytes it carries. Node's HTTP
 * parser attaches what it had read of a request it refuses (`rawPacket`:
 * headers and body, Authorization and passwords included), and fastify logs
 * that error at trace; no byte buffer of an error is ever worth that risk.
 */
function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>
  if (out === null || typeof out !== 'object') return out
  for (const [key, value] of Object.entries(out)) if (isBytes(value)) delete out[key]
  return out
}

/** Query parameters that are credentials: a download link's signature, a notification stream's ticket. */
const CREDENTIAL_PARAMS = /([?&](?:sig|ticket)=)[^&#]*/g

interface LoggedRequest {
  method?: string
  url?: string
  headers?: Record<string, unknown>
  host?: string
  ip?: string
  socket?: { remotePort?: number }
}

/**
 * A request as fastify logs it ("incoming request"), its URL less the
 * credentials a link may carry: a signed download link works for minutes
 * to whoever reads it, in a log too.
 */
function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url?.replace(CREDENTIAL_PARAMS, '$1[redacted]'),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }
}

const isBytes = (v: unknown): boolean => Buffer.isBuffer(v) || ArrayBuffer.isView(v) || v instanceof ArrayBuffer

/** `destination` defaults to stdout (tests pass a buffer to search what was logged). */
export function createLogger(config: Pick<Config, 'logLevel'>, name = 'dscp', destination?: DestinationStream): Logger {
  const options = {
    name,
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, req: serializeRequest },
  }
  return destination ? pino(options, destination) : pino(options)
}
