import type { Envelope } from '../../../shared/contract/index'
import type { ErrorCode } from '../../../shared/errors'

/** An error main reported in an envelope (or a transport failure, as `internal`). */
export class ApiError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
  }
}

/**
 * The one place envelopes are unwrapped: the value on success, a typed ApiError otherwise.
 * A transport that rejects instead of answering an envelope is reported as `internal`.
 */
export async function callApi<T>(request: Promise<Envelope<T>>): Promise<T> {
  let envelope: Envelope<T>
  try {
    envelope = await request
  } catch (err) {
    throw new ApiError(
      'internal',
      err instanceof Error ? err.message : 'the console did not answer',
    )
  }
  if (envelope.ok) return envelope.value
  throw new ApiError(envelope.error.code, envelope.error.message)
}
