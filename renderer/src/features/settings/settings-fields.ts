import { z } from 'zod'
import {
  HOST_NAME_MESSAGE,
  PORT_MESSAGE,
  hostName,
  portNumber,
} from '../../../../shared/contract/index'

/**
 * Typed text, checked as typed: a number input would drop the minus of `-5` and store 5, so
 * ports and counts are text that must be digits only.
 */
export const wholeNumberText = (message: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, message)
    .transform((v) => Number(v))

/** A port as typed: digits only, then the contract's range (0: chosen once, then kept). */
export const portText = () => wholeNumberText(PORT_MESSAGE).pipe(portNumber)

/** A host name as typed, trimmed: a DNS name or an IP address, never `my station.local`. */
export const hostText = () => z.string().trim().pipe(hostName)

/** An optional host name: empty means none (the listen address is advertised). */
export const optionalHostText = () =>
  z
    .string()
    .trim()
    .transform((v) => (v === '' ? null : v))
    .pipe(hostName.nullable())

export { HOST_NAME_MESSAGE, PORT_MESSAGE }

/** Addresses only this machine can reach: what hubs elsewhere cannot use. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h)
}
