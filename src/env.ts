/**
 * Typed readers of one environment variable each, for config.ts: an empty
 * variable counts as unset, and a bad value throws a ConfigError naming it.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`)
    this.name = 'ConfigError'
  }
}

export type Env = Record<string, string | undefined>

export function str(env: Env, name: string, fallback?: string): string | undefined {
  const v = env[name]
  return v === undefined || v === '' ? fallback : v
}

export function num(
  env: Env,
  name: string,
  fallback: number,
  opts: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const raw = str(env, name)
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || raw.trim() === '') throw new ConfigError(name, `not a number: ${JSON.stringify(raw)}`)
  if (opts.integer && !Number.isInteger(n)) throw new ConfigError(name, `must be an integer, got ${raw}`)
  if (opts.min !== undefined && n < opts.min) throw new ConfigError(name, `must be >= ${opts.min}, got ${raw}`)
  if (opts.max !== undefined && n > opts.max) throw new ConfigError(name, `must be <= ${opts.max}, got ${raw}`)
  return n
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name)
  if (raw === undefined) return fallback
  if (/^(true|1|yes|on)$/i.test(raw)) return true
  if (/^(false|0|no|off)$/i.test(raw)) return false
  throw new ConfigError(name, `expected true or false, got ${JSON.stringify(raw)}`)
}

export function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name)
  if (raw === undefined) return undefined
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new ConfigError(name, 'not a valid URL')
  }
  if (!protocols.includes(parsed.protocol))
    throw new ConfigError(name, `protocol must be one of ${protocols.join(', ')}`)
  return raw
}

/** fastify's trustProxy: 'true', or a comma list of addresses or CIDR ranges (fastify ignores a hop count) */
export function trustProxy(env: Env): boolean | string[] {
  const raw = str(env, 'TRUST_PROXY')
  if (raw === undefined || /^false$/i.test(raw)) return false
  if (/^true$/i.test(raw)) return true
  if (/^\d+$/.test(raw)) throw new ConfigError('TRUST_PROXY', 'proxy addresses or CIDR ranges, not a hop count')
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

const MIN_SECRET_BYTES = 32

/** A secret that must be set (production) and at least 32 bytes long. */
export function secret(name: string, value: string | undefined): string {
  if (value === undefined) throw new ConfigError(name, 'required when NODE_ENV=production')
  if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES)
    throw new ConfigError(name, `must be at least ${MIN_SECRET_BYTES} bytes`)
  return value
}
