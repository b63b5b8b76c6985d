import { pino, type Logger } from 'pino'
import type { Config } from './config'

export type { Logger }

/**
 * Secrets never reach the logs: authorization headers, cookies and any field
 * named like a secret are censored wherever they appear in a log object.
 */
export const REDACT_PATHS = [
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

export function createLogger(config: Pick<Config, 'logLevel'>, name = 'dscp'): Logger {
  return pino({ name, level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } })
}
