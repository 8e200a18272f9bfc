import { notifications } from '@mantine/notifications'
import { ApiError } from '../api/call-api'

/** Human titles for the stable error codes main reports. */
const TITLES: Record<string, string> = {
  invalid_input: 'Invalid input',
  not_found: 'Not found',
  already_exists: 'Already exists',
  conflict: 'Conflict',
  keychain_unavailable: 'Keychain unavailable',
  vault_locked: 'Vault locked',
  vault_passphrase_required: 'Passphrase required',
  data_dir_locked: 'Data directory in use',
  policy_violation: 'Refused by policy',
  internal: 'Something went wrong',
}

/**
 * The one way the console shows errors and confirmations. `id` de-duplicates repeats (a query
 * that keeps failing shows one notification, not one per retry).
 */
export const notify = {
  error(err: unknown, options: { id?: string; title?: string } = {}): void {
    const code = err instanceof ApiError ? err.code : 'internal'
    const message =
      err instanceof Error && err.message ? err.message : 'unexpected error; see the log'
    notifications.show({
      id: options.id,
      color: 'red',
      title: options.title ?? TITLES[code] ?? 'Error',
      message,
      autoClose: 8000,
      'data-testid': 'notification-error',
    })
  },

  success(message: string, title?: string): void {
    notifications.show({
      color: 'green',
      title,
      message,
      autoClose: 4000,
      'data-testid': 'notification-success',
    })
  },
}
