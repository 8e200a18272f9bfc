import type { VaultMode } from '../enums.js'
import { emptyInput, eventOf } from './common.js'
import type { KeyView } from './keys.js'
import type { SettingsView } from './settings.js'

export interface StatusWarning {
  code: string
  message: string
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
  settings: SettingsView
  warnings: StatusWarning[]
}

export const statusMethods = {
  'status.get': { input: emptyInput, output: {} as StatusView },
} as const

export const statusEvents = {
  'issuer.state': eventOf<{ running: boolean; issuer: string }>(),
}
