/**
 * Stable error codes shared by the CLI, the control socket and (later) the UI. Only errors
 * built with `expose: true` carry their message outward; anything else is reported as
 * `internal` with a generic message and logged where it happened.
 */
export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'already_exists',
  'conflict',
  'keychain_unavailable',
  'vault_locked',
  'vault_passphrase_required',
  'data_dir_locked',
  'policy_violation',
  /** A hub service (DPS, snippet-service, http-gateway) failed or could not be reached. */
  'upstream',
  /** The console bridge refused the session token (headless console only). */
  'session_invalid',
  'internal',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ErrorShape {
  code: ErrorCode
  message: string
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly expose: boolean
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; expose?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.expose = options?.expose ?? code !== 'internal'
  }
}

/** What may leave the process for an error: its code and, when exposable, its message. */
export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof AppError && err.expose) return { code: err.code, message: err.message }
  return { code: 'internal', message: 'internal error; see the log' }
}
