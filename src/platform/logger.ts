import { type DestinationStream, pino, type Logger } from 'pino'
import type { Config } from '../config'

export type { Logger }

/**
 * Secrets never reach the logs: authorization headers, cookies and any field
 * named like a secret are censored wherever they appear in a log object.
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

/** `destination` defaults to stdout (tests pass a buffer to search what was logged). */
export function createLogger(config: Pick<Config, 'logLevel'>, name = 'dscp', destination?: DestinationStream): Logger {
  const options = { name, level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }
  return destination ? pino(options, destination) : pino(options)
}
