import { notifications } from '@mantine/notifications'
import type { ErrorCode } from '../../../shared/errors'
import { ApiError } from '../api/call-api'

/** Human titles for the stable error codes main reports: a raw code is never a title. */
const ERROR_TITLES: Record<ErrorCode, string> = {
  invalid_input: 'Check the input',
  not_found: 'Not found',
  already_exists: 'Already exists',
  conflict: 'Changed meanwhile',
  keychain_unavailable: 'Keychain unavailable',
  vault_locked: 'Vault locked',
  vault_passphrase_required: 'Wrong or missing passphrase',
  data_dir_locked: 'Data directory in use',
  policy_violation: 'Refused by policy',
  upstream: 'The hub did not answer as expected',
  session_invalid: 'Console session expired',
  internal: 'Something went wrong',
}

/** Titles for the status warnings (`status.get`), which carry codes of their own. */
const WARNING_TITLES: Record<string, string> = {
  vault_passphrase: 'Secrets protected by a passphrase only',
  key_old: 'Signing key is old',
  key_retiring: 'A key leaves the JWKS soon',
  clock_skew: 'A hub’s clock is off',
}

/** The title for an error or warning code; an unknown code gets a generic title, not itself. */
export function titleFor(code: string): string {
  return (ERROR_TITLES as Record<string, string>)[code] ?? WARNING_TITLES[code] ?? 'Error'
}

/**
 * Where notifications show: top centre, below the 56 px header. Dialog actions sit bottom right
 * and page actions top right, so a notice there would cover the button the user needs next.
 */
export const NOTIFICATIONS_PLACEMENT = { position: 'top-center', top: 64 } as const

/** Errors close on their own after this long, and at once when the page changes. */
export const ERROR_AUTO_CLOSE_MS = 8000

/** The errors showing now, so a page change closes them and leaves confirmations be. */
const shownErrors = new Set<string>()
let nextErrorId = 0

/**
 * The one way the console shows errors and confirmations. `id` de-duplicates repeats (a query
 * that keeps failing shows one notification, not one per retry).
 */
export const notify = {
  error(err: unknown, options: { id?: string; title?: string } = {}): void {
    const code = err instanceof ApiError ? err.code : 'internal'
    const message =
      err instanceof Error && err.message ? err.message : 'unexpected error; see the log'
    const id = options.id ?? `error-${++nextErrorId}`
    shownErrors.add(id)
    notifications.show({
      id,
      onClose: () => shownErrors.delete(id),
      color: 'red',
      title: options.title ?? titleFor(code),
      message,
      autoClose: ERROR_AUTO_CLOSE_MS,
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

  /** On a page change: the errors were about the page left behind. */
  closeErrors(): void {
    for (const id of shownErrors) notifications.hide(id)
    shownErrors.clear()
  },
}
