import { AppError } from '../../shared/errors.js'

/** The OS keychain, narrowed to what the vault needs. keytar in production; a Map in unit tests. */
export interface Keychain {
  get(service: string, account: string): Promise<string | null>
  set(service: string, account: string, secret: string): Promise<void>
  delete(service: string, account: string): Promise<boolean>
}

/**
 * keytar, loaded on first use: loading it starts no D-Bus connection, but a missing native
 * module or an absent Secret Service must surface as `keychain_unavailable`, never as
 * "no key", so the caller can offer the passphrase vault instead.
 */
export function keytarKeychain(): Keychain {
  type Keytar = typeof import('keytar')
  let loaded: Keytar | undefined
  const keytar = (): Keytar => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- native module, loaded lazily
    loaded ??= require('keytar') as Keytar
    return loaded
  }
  const call = async <T>(what: string, fn: (k: Keytar) => Promise<T>): Promise<T> => {
    try {
      return await fn(keytar())
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new AppError('keychain_unavailable', `the OS keychain cannot ${what}: ${reason}`, {
        cause,
      })
    }
  }
  return {
    get: (service, account) => call('be read', (k) => k.getPassword(service, account)),
    set: (service, account, secret) =>
      call('be written', (k) => k.setPassword(service, account, secret)),
    delete: (service, account) => call('be written', (k) => k.deletePassword(service, account)),
  }
}
