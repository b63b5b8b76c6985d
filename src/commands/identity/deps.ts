import type { Kysely } from 'kysely'
import type { PasswordHasher } from '../../auth/password-hasher'
import type { TokenService } from '../../auth/tokens'
import type { Database } from '../../db/database'
import type { CommandDeps } from '../context'

export interface IdentitySettings {
  approvalTimeoutMs: number
  refreshTtlMs: number
  refreshGraceMs: number
}

export interface IdentityDeps extends CommandDeps {
  db: Kysely<Database>
  hasher: PasswordHasher
  tokens: TokenService
  /** HMAC key that derives a refresh token's child from the token itself */
  refreshKey: Buffer
  settings: IdentitySettings
}
