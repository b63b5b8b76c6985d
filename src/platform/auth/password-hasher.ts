import { randomBytes } from 'node:crypto'
import os from 'node:os'
import { join } from 'node:path'
import { Piscina } from 'piscina'
import { isBcryptHash } from '../../domain/identity/bcrypt'
import { PASSWORD_MAX_BYTES, utf8ByteLength } from '../../domain/identity/password-policy'

/**
 * bcrypt on worker threads, so a burst of logins never stalls other requests
 * (docs/architecture.md §8). One pool per process; close it on shutdown.
 */
export interface PasswordHasher {
  /** Rejects (never truncates) a password over 72 UTF-8 bytes. */
  hash(password: string): Promise<string>
  /** False for a wrong password, and for any password over 72 bytes. */
  verify(password: string, hash: string): Promise<boolean>
  /** As long as a failed `verify`, always false: for an email with no account. */
  verifyDummy(password: string): Promise<false>
  close(): Promise<void>
}

export interface PasswordHasherOptions {
  /** bcrypt cost (log2 of the rounds), config's BCRYPT_ROUNDS. */
  rounds: number
  /** worker threads at most. @defaultValue os.availableParallelism(), at least 1 */
  threads?: number
}

export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length)
}

// Any fixed string that fits: an over-long password is compared as this, so it
// costs the same as a real compare and can never match by its first 72 bytes.
const OVERLONG_STAND_IN = 'x'.repeat(PASSWORD_MAX_BYTES)

export function createPasswordHasher(opts: PasswordHasherOptions): PasswordHasher {
  const { rounds } = opts
  if (!Number.isInteger(rounds) || rounds < 4 || rounds > 31)
    throw new RangeError(`bcrypt rounds must be an integer in 4..31, got ${rounds}`)
  const threads = opts.threads ?? defaultThreads()
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be a positive integer, got ${threads}`)

  const pool = new Piscina({
    // beside this file both in src/ (tests) and in dist/ (build)
    filename: join(__dirname, 'bcrypt-worker.js'),
    // The worker is plain JavaScript and needs none of the parent's flags; an
    // inherited --import loader (the test runner's TypeScript one, an APM agent)
    // would cost every new thread seconds of CPU before its first hash.
    execArgv: [],
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 30_000,
  })
  let closing: Promise<void> | undefined

  function run<R>(name: 'hash' | 'verify', task: { password: string; rounds?: number; hash?: string }): Promise<R> {
    if (closing) return Promise.reject(new Error('password hasher is closed'))
    return pool.run(task, { name }) as Promise<R>
  }

  // Hashed once, eagerly, at the same cost as real hashes, from a random
  // password nobody knows. A failure is retried on next use rather than cached.
  let dummy: Promise<string> | undefined
  function dummyHash(): Promise<string> {
    if (!dummy) {
      const attempt = run<string>('hash', { password: randomBytes(32).toString('base64url'), rounds })
      dummy = attempt
      attempt.catch(() => {
        if (dummy === attempt) dummy = undefined
      })
    }
    return dummy
  }
  dummyHash()

  const fits = (password: string) => utf8ByteLength(password) <= PASSWORD_MAX_BYTES

  async function verifyDummy(password: string): Promise<false> {
    await run<boolean>('verify', { password: fits(password) ? password : OVERLONG_STAND_IN, hash: await dummyHash() })
    return false
  }

  return {
    async hash(password) {
      if (!fits(password)) throw new RangeError(`password longer than ${PASSWORD_MAX_BYTES} UTF-8 bytes`)
      return run<string>('hash', { password, rounds })
    },
    async verify(password, hash) {
      // a hash that is no bcrypt (an imported account's unverifiable password) matches nothing, in a real compare's time
      if (!fits(password) || !isBcryptHash(hash)) return verifyDummy(password)
      return run<boolean>('verify', { password, hash })
    },
    verifyDummy,
    close() {
      // graceful: a login already on a worker finishes before the threads stop
      closing ??= pool.close()
      return closing
    },
  }
}
