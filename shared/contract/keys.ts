import { z } from 'zod'
import { SIGNING_ALGORITHMS, type KeyAlgorithm, type KeyOrigin, type KeyState } from '../enums.js'
import { emptyInput, eventOf } from './common.js'

export const rotateKeysInput = z.object({ alg: z.enum(SIGNING_ALGORITHMS).optional() })
export const importKeyInput = z.object({
  pem: z
    .string()
    .min(1)
    .max(64 * 1024),
  activate: z.boolean().default(false),
})
export const exportPublicKeysInput = z.object({
  format: z.enum(['jwks', 'pem']),
  kid: z.string().optional(),
})

export interface KeyView {
  kid: string
  alg: KeyAlgorithm
  state: KeyState
  origin: KeyOrigin
  createdAt: number
  activatedAt: number | null
  /** When a retiring key leaves the JWKS: every token it signed has expired by then. */
  retireAt: number | null
}

export const keysMethods = {
  'keys.list': { input: emptyInput, output: {} as KeyView[] },
  'keys.rotate': { input: rotateKeysInput, output: {} as KeyView[] },
  'keys.import': { input: importKeyInput, output: {} as KeyView },
  'keys.exportPublic': { input: exportPublicKeysInput, output: {} as { content: string } },
} as const

export const keysEvents = {
  'key.rotated': eventOf<{ activeKid: string }>(),
}
