// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { OAuthError, type OAuthErrorCode } from '../../electron/oauth/oauth-error.js'

describe('OAuthError', () => {
  it.each<[OAuthErrorCode, number, number]>([
    // [error, HTTP status, google.rpc code]
    ['invalid_client', 401, 16],
    ['invalid_request', 400, 3],
    ['temporarily_unavailable', 429, 8],
    ['invalid_grant', 400, 3],
    ['unsupported_grant_type', 400, 3],
    ['invalid_scope', 400, 3],
    ['invalid_target', 400, 3],
    ['unauthorized_client', 400, 7],
  ])('%s: status %i, code %i', (error, status, code) => {
    const err = new OAuthError(error, 'the reason')
    expect(err.status).toBe(status)
    expect(err.toBody()).toStrictEqual({
      error,
      error_description: 'the reason',
      code,
      message: 'cannot create token: the reason',
      details: [],
    })
  })

  it('serialises to the JSON both OAuth clients and plgd tools read', () => {
    const body = JSON.parse(
      JSON.stringify(new OAuthError('invalid_client', 'client authentication failed').toBody()),
    ) as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual([
      'code',
      'details',
      'error',
      'error_description',
      'message',
    ])
    expect(typeof body.code).toBe('number')
    expect(body.message).toMatch(/^cannot create token: /)
  })

  it.each<[string, OAuthError, number | undefined]>([
    ['keeps retryAfter for 429', new OAuthError('temporarily_unavailable', 'slow down', 30), 30],
    ['has no retryAfter otherwise', new OAuthError('invalid_request', 'bad'), undefined],
  ])('%s', (_name, err, retryAfter) => {
    expect(err.retryAfter).toBe(retryAfter)
  })

  it('is an Error with no Basic challenge by default', () => {
    const err = new OAuthError('invalid_client', 'no')
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('OAuthError')
    expect(err.message).toBe('no')
    expect(err.basicChallenge).toBe(false)
  })
})
