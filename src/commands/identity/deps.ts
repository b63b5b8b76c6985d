import type { TokenService } from '../../platform/auth/access-tokens'
import type { PasswordHasher } from '../../platform/auth/password-hasher'
import type { CommandDeps } from '../context'

interface IdentitySettings {
  approvalTimeoutMs: number
  refreshTtlMs: number
  refreshGraceMs: number
}

export interface IdentityDeps extends CommandDeps {
  hasher: PasswordHasher
  tokens: TokenService
  /** HMAC key that derives a refresh token's child from the token itself */
  refreshKey: Buffer
  settings: IdentitySettings
}
