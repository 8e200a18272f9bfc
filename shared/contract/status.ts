import type { VaultMode } from '../enums.js'
import { emptyInput, eventOf } from './common.js'
import type { KeyView } from './keys.js'
import type { SettingsView } from './settings.js'

export interface StatusWarning {
  code: string
  message: string
}

/**
 * Failed client authentications at the issuer since this process started: an attack shows up
 * here (and, rate-limited, in the log) rather than only as refused clients.
 */
export interface AuthenticationStats {
  /** Client authentications that failed (token endpoint, its twin, revocation, introspection). */
  failures: number
  /** Requests refused with 429 because their address had used up its failure budget. */
  throttled: number
  /** Times an address used up its budget and was blocked. */
  blocks: number
  /** Unix seconds of the latest failure; null when there was none. */
  lastFailureAt: number | null
  /** Unix seconds this count started (the process start). */
  since: number
}

export interface StatusView {
  setupCompleted: boolean
  vault: { mode: VaultMode }
  issuer: {
    issuer: string
    tokenEndpoint: string
    jwksUri: string
    running: boolean
    station: boolean
  }
  caCertPem: string | null
  activeKey: KeyView | null
  counts: { clients: number; tokens: number; activeTokens: number }
  /** Always filled by status.get; optional only so that the field is an additive change. */
  authentication?: AuthenticationStats
  settings: SettingsView
  warnings: StatusWarning[]
}

export const statusMethods = {
  'status.get': { input: emptyInput, output: {} as StatusView },
} as const

export const statusEvents = {
  'issuer.state': eventOf<{ running: boolean; issuer: string }>(),
}
