/** RFC 6749 §5.2 error codes the token endpoint uses. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'temporarily_unavailable'

/** gRPC codes plgd tools read from `code` (google.rpc.Status). */
const GRPC_CODE: Record<OAuthErrorCode, number> = {
  invalid_request: 3,
  invalid_client: 16,
  invalid_grant: 3,
  unauthorized_client: 7,
  unsupported_grant_type: 3,
  invalid_scope: 3,
  invalid_target: 3,
  temporarily_unavailable: 8,
}

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  temporarily_unavailable: 429,
}

/**
 * The one description of every failed client authentication: unknown id, wrong secret, disabled
 * client, wrong method, missing or rejected assertion. Telling them apart would let a caller
 * probe which ids exist and how they authenticate; the reason goes to the log instead.
 */
export const CLIENT_AUTH_FAILED = 'client authentication failed'

/** A refusal meant for the caller: its description is safe to send. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode
  readonly status: number
  /** Seconds, for 429. */
  readonly retryAfter: number | undefined
  /** Why, for the log only (never sent): set on failed client authentications. */
  readonly reason: string | undefined
  /** The client used HTTP Basic: a 401 then carries a Basic challenge (RFC 6749 §5.2). */
  basicChallenge = false

  constructor(error: OAuthErrorCode, description: string, retryAfter?: number, reason?: string) {
    super(description)
    this.name = 'OAuthError'
    this.error = error
    this.status = STATUS[error]
    this.retryAfter = retryAfter
    this.reason = reason
  }

  /** One object that both standard OAuth clients and plgd tooling can read. */
  toBody(): Record<string, unknown> {
    return {
      error: this.error,
      error_description: this.message,
      code: GRPC_CODE[this.error],
      message: `cannot create token: ${this.message}`,
      details: [],
    }
  }
}

/** A failed client authentication: the generic description for the caller, `reason` for the log. */
export function clientAuthFailed(reason: string): OAuthError {
  return new OAuthError('invalid_client', CLIENT_AUTH_FAILED, undefined, reason)
}
