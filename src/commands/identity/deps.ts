import { createHmac } from 'node:crypto'
import type { Config } from '../../config'
import type { PasswordPolicy } from '../../domain/identity/password-policy'
import { type TokenService, createTokenService } from '../../platform/auth/access-tokens'
import { type PasswordHasher, createPasswordHasher } from '../../platform/auth/password-hasher'
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

/** The identity commands' dependencies as the configuration sets them (the runtime's composition). */
export function identityDeps(
  config: Readonly<Config>,
  base: CommandDeps,
  revocations: SessionRevocations,
): IdentityDeps {
  return {
    ...base,
    hasher: createPasswordHasher({ rounds: config.bcryptRounds }),
    tokens: createTokenService({ secret: config.jwtSecret, accessTtlSeconds: config.accessTokenExpireMinutes * 60 }),
    // a key of its own for deriving refresh tokens, never the JWT key itself
    refreshKey: createHmac('sha256', config.jwtSecret).update('dscp refresh-token rotation v1').digest(),
    settings: {
      approvalTimeoutMs: config.approvalTimeoutMinutes * 60_000,
      refreshTtlMs: config.refreshTokenExpireDays * 86_400_000,
      refreshGraceMs: config.refreshReuseGraceSeconds * 1000,
      passwordPolicy: config.club.passwordPolicy,
    },
    revocations,
  }
}
