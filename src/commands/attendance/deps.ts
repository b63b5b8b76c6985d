import type { QrKeys } from '../../domain/qr'
import type { CommandDeps } from '../context'
import type { HotPathCache } from './hot-cache'

export interface AttendanceDeps extends CommandDeps {
  cache: HotPathCache
  /** current QR key, and the previous one during a rotation */
  qrKeys: QrKeys
  /** default QR lifetime (QR_EXPIRY_SECONDS) */
  qrTtlSeconds: number
}
