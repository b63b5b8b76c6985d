import type { Kysely } from 'kysely'
import type { Database } from '../../db/database'
import type { TokenService } from '../../platform/auth/access-tokens'
import type { PasswordHasher } from '../../platform/auth/password-hasher'
import type { CommandDeps } from '../context'

interface IdentitySettings {
  approvalTimeoutMs: number
  refreshTtlMs: number
  refreshGraceMs: number
}

export interface IdentityDeps extends CommandDeps {
  /** the read models a few commands look up (the sessions of a user, the account of a request) */
  db: Kysely<Database>
  hasher: PasswordHasher
  tokens: TokenService
  /** HMAC key that derives a refresh token's child from the token itself */
  refreshKey: Buffer
  settings: IdentitySettings
}
