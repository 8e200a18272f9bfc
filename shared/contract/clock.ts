import { z } from 'zod'
import { caPem } from './common.js'

export const clockSkewInput = z.object({
  url: z.string().url(),
  /** PEM of the CA behind the URL's certificate (a hub with a private CA); the system pool otherwise. */
  caPem,
})
export interface ClockSkew {
  url: string
  /** Their clock minus ours, in seconds; positive when they are ahead. */
  skewSeconds: number
  roundTripMs: number
}

export const clockMethods = {
  'clock.skew': { input: clockSkewInput, output: {} as ClockSkew },
} as const
