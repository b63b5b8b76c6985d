import type { PasswordPolicy } from '../../domain/identity/password-policy'
import type { TokenService } from '../../platform/auth/access-tokens'
import type { PasswordHasher } from '../../platform/auth/password-hasher'
import type { CommandDeps } from '../context'
import type { SessionRevocations } from './revoked-sessions'

interface IdentitySettings {
  approvalTimeoutMs: number
  refreshTtlMs: number
  refreshGraceMs: number
  passwordPolicy: PasswordPolicy
}

export interface IdentityDeps extends CommandDeps {
  hasher: PasswordHasher
  tokens: TokenService
  /** HMAC key that derives a refresh token's child from the token itself */
  refreshKey: Buffer
  settings: IdentitySettings
  /** sessions whose access tokens have ended (every command that revokes one tells it) */
  revocations: SessionRevocations
}
