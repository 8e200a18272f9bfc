// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { OAuthError, type OAuthErrorCode } from '../../electron/oauth/oauth-error.js'
import { parseTokenRequest, type TokenRequest } from '../../electron/oauth/token-request.js'

const FORM = 'application/x-www-form-urlencoded'
const JSON_TYPE = 'application/json'

function parse(contentType: string | undefined, body: string, authorization?: string) {
  return parseTokenRequest(contentType, Buffer.from(body, 'utf8'), authorization)
}

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString()
}

/** RFC 6749 §2.3.1: each part application/x-www-form-urlencoded, then joined with ':'. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}

function basic(id: string, secret: string): string {
  return basicRaw(`${formEncode(id)}:${formEncode(secret)}`)
}

function basicRaw(credentials: string): string {
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
}

function refusal(fn: () => unknown): OAuthError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    return err as OAuthError
  }
  throw new Error('expected an OAuthError, but the call returned')
}

describe('parseTokenRequest: body format follows Content-Type', () => {
  const formBody = form({ grant_type: 'client_credentials', client_id: 'dev', token_name: 'n' })
  const jsonBody = JSON.stringify({ grant_type: 'client_credentials', client_id: 'dev' })

  it.each([
    ['form', FORM, formBody],
    ['form with charset', `${FORM}; charset=UTF-8`, formBody],
    ['form, upper case', FORM.toUpperCase(), formBody],
    ['JSON', JSON_TYPE, jsonBody],
    ['JSON with charset', `${JSON_TYPE}; charset=utf-8`, jsonBody],
    ['no Content-Type: JSON', undefined, jsonBody],
    ['any other type: JSON', 'text/plain', jsonBody],
  ])('%s', (_name, contentType, body) => {
    const req = parse(contentType, body)
    expect(req.grantType).toBe('client_credentials')
    expect(req.clientId).toBe('dev')
  })

  it.each([
    ['a form body sent as JSON', JSON_TYPE, formBody],
    ['a form body with no Content-Type', undefined, formBody],
    ['an empty JSON body', JSON_TYPE, ''],
    ['a JSON array', JSON_TYPE, '[]'],
    ['a JSON string', JSON_TYPE, '"grant_type"'],
    ['JSON null', JSON_TYPE, 'null'],
    ['a JSON number', JSON_TYPE, '1'],
  ])('refuses %s with invalid_request', (_name, contentType, body) => {
    const err = refusal(() => parse(contentType, body))
    expect(err.error).toBe('invalid_request')
    expect(err.status).toBe(400)
  })

  it('reads a JSON body sent with the form type as a form (no grant_type found)', () => {
    const req = parse(FORM, jsonBody)
    expect(req.grantType).toBeUndefined()
    expect(req.clientId).toBeUndefined()
  })

  it('keeps every parameter by name, including the owner claim DPS sends', () => {
    const req = parse(
      FORM,
      form({ grant_type: 'client_credentials', 'https://plgd.dev/owner': '1', token_name: 'dps' }),
    )
    expect(req.params.get('https://plgd.dev/owner')).toBe('1')
    expect(req.tokenName).toBe('dps')
  })
})

describe('parseTokenRequest: HTTP Basic (RFC 6749 §2.3.1)', () => {
  it.each([
    ['plain values', 'dev', 's3cret'],
    ['colon in the id', 'tenant:dev', 'pw'],
    ['colons in the secret', 'dev', 'a:b:c'],
    ['percent sign', 'd%v', '100%sure'],
    ['plus sign', 'a+b', 'x+y+z'],
    ['spaces', 'my client', 'correct horse battery staple'],
    ['reserved characters', 'id/?#[]@', "!$&'()*,;=:%+ "],
    ['non-ASCII', 'gerät', 'päss wörd'],
    ['empty secret', 'dev', ''],
  ])('decodes form-urlencoded id and secret: %s', (_name, id, secret) => {
    const req = parse(FORM, form({ grant_type: 'client_credentials' }), basic(id, secret))
    expect(req.clientId).toBe(id)
    expect(req.clientSecret).toBe(secret)
    expect(req.authMethod).toBe('client_secret_basic')
  })

  it.each([
    ['an unencoded "+" is a space', 'dev:a+b', 'dev', 'a b'],
    ['the first raw colon splits id and secret', 'dev:a:b', 'dev', 'a:b'],
    ['an encoded colon stays in the id', 'a%3Ab:c', 'a:b', 'c'],
    ['%2B is a plus', 'dev:a%2Bb', 'dev', 'a+b'],
  ])('%s', (_name, raw, id, secret) => {
    const req = parse(FORM, '', basicRaw(raw))
    expect(req.clientId).toBe(id)
    expect(req.clientSecret).toBe(secret)
  })

  it.each([
    ['the scheme in lower case', `basic ${Buffer.from('dev:pw').toString('base64')}`],
    ['extra spaces after the scheme', `Basic   ${Buffer.from('dev:pw').toString('base64')}`],
  ])('accepts %s', (_name, header) => {
    const req = parse(FORM, '', header)
    expect(req).toMatchObject({ clientId: 'dev', clientSecret: 'pw' })
  })

  it.each([
    ['no colon', basicRaw('devpw')],
    ['a malformed percent escape in the secret', basicRaw('dev:%zz')],
    ['a malformed percent escape in the id', basicRaw('%E0%A4%A:pw')],
  ])('refuses %s with invalid_client', (_name, header) => {
    const err = refusal(() => parse(FORM, '', header))
    expect(err.error).toBe('invalid_client')
    expect(err.status).toBe(401)
  })

  it('refuses Basic together with client_secret in the body', () => {
    const err = refusal(() => parse(FORM, form({ client_secret: 'pw' }), basic('dev', 'pw')))
    expect(err.error).toBe('invalid_request')
  })

  it('treats an empty client_secret beside Basic as omitted (RFC 6749 §3.1)', () => {
    const request = parse(JSON_TYPE, '{"client_secret":""}', basic('dev', 'pw'))
    expect(request).toMatchObject({
      authMethod: 'client_secret_basic',
      clientId: 'dev',
      clientSecret: 'pw',
    })
  })

  it.each([
    ['the same client_id in the body', 'dev', undefined],
    ['a different client_id in the body', 'other', 'invalid_request'],
  ] as const)('Basic with %s', (_name, bodyId, error) => {
    const run = () => parse(FORM, form({ client_id: bodyId }), basic('dev', 'pw'))
    if (error === undefined) expect(run().clientId).toBe('dev')
    else expect(refusal(run).error).toBe(error)
  })
})

describe('parseTokenRequest: form parameters', () => {
  it.each([
    ['grant_type', 'grant_type=client_credentials&grant_type=client_credentials'],
    ['client_secret', 'client_id=dev&client_secret=a&client_secret=b'],
    ['audience', 'audience=a&audience=b'],
    ['scope', 'scope=r&scope=w'],
    ['expiration, even empty', 'expiration=&expiration='],
  ])('refuses a repeated %s (RFC 6749 §3.2)', (name, body) => {
    const err = refusal(() => parse(FORM, body))
    expect(err.error).toBe('invalid_request')
    expect(err.message).toContain(name.split(',')[0])
  })
})

describe('parseTokenRequest: audience and scope lists', () => {
  it.each<[string, string | undefined, string[]]>([
    ['absent', undefined, []],
    ['empty', '', []],
    ['blank', '   ', []],
    ['one value', 'https://hub', ['https://hub']],
    ['space separated', 'a b c', ['a', 'b', 'c']],
    ['repeated spaces', '  a   b  ', ['a', 'b']],
    ['duplicates removed, first order kept', 'b a b a c', ['b', 'a', 'c']],
  ])('form value %s', (_name, value, expected) => {
    const params: Record<string, string> = {}
    if (value !== undefined) {
      params.audience = value
      params.scope = value
    }
    const req = parse(FORM, form(params))
    expect(req.audiences).toEqual(expected)
    expect(req.scopes).toEqual(expected)
  })

  it('splits a "+"-encoded form value on the decoded spaces', () => {
    expect(parse(FORM, 'scope=r:*+w:*&audience=a+b').scopes).toEqual(['r:*', 'w:*'])
  })

  it.each<[string, unknown, string[]]>([
    ['a JSON string', 'a b a', ['a', 'b']],
    ['a JSON array', ['a', 'b'], ['a', 'b']],
    ['a JSON array with duplicates', ['a', 'b', 'a'], ['a', 'b']],
    ['an empty JSON array', [], []],
    ['JSON null', null, []],
  ])('%s', (_name, value, expected) => {
    const req = parse(JSON_TYPE, JSON.stringify({ audience: value, scope: value }))
    expect(req.audiences).toEqual(expected)
    expect(req.scopes).toEqual(expected)
  })
})

describe('parseTokenRequest: JSON values must be strings', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a numeric client_id', { client_id: 1 }],
    ['a boolean grant_type', { grant_type: true }],
    ['an object client_secret', { client_secret: { value: 'x' } }],
    ['an array client_id', { client_id: ['dev'] }],
    ['an audience array of numbers', { audience: [1, 2] }],
    ['a scope array mixing types', { scope: ['r', 1] }],
    ['an object audience', { audience: { a: 'b' } }],
    ['a numeric token_name', { token_name: 5 }],
    ['a boolean expiration', { expiration: true }],
    ['an array expiration', { expiration: [1700000000] }],
    ['a numeric owner claim', { 'https://plgd.dev/owner': 1 }],
  ])('refuses %s with invalid_request', (_name, body) => {
    const err = refusal(() => parse(JSON_TYPE, JSON.stringify(body)))
    expect(err.error).toBe('invalid_request')
  })

  it('ignores null values', () => {
    const req = parse(JSON_TYPE, JSON.stringify({ client_id: 'dev', client_secret: null }))
    expect(req.clientSecret).toBeUndefined()
    expect(req.authMethod).toBe('none')
  })
})

describe('parseTokenRequest: expiration', () => {
  it.each<[string, string, Record<string, unknown> | string, number | undefined]>([
    ['form digits', FORM, 'expiration=1700003600', 1700003600],
    ['form empty', FORM, 'expiration=', undefined],
    ['form absent', FORM, '', undefined],
    ['form zero (plgd: not requested)', FORM, 'expiration=0', undefined],
    ['JSON zero (plgd: not requested)', JSON_TYPE, { expiration: 0 }, undefined],
    ['form leading zeros', FORM, 'expiration=001700003600', 1700003600],
    ['JSON string', JSON_TYPE, { expiration: '1700003600' }, 1700003600],
    ['JSON number', JSON_TYPE, { expiration: 1700003600 }, 1700003600],
    ['JSON empty string', JSON_TYPE, { expiration: '' }, undefined],
  ])('accepts %s', (_name, contentType, body, expected) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    expect(parse(contentType, text).expiration).toBe(expected)
  })

  it.each<[string, string, string]>([
    ['negative', FORM, 'expiration=-1'],
    ['fractional', FORM, 'expiration=1700000000.5'],
    ['exponent', FORM, 'expiration=1e9'],
    ['hex', FORM, 'expiration=0x10'],
    ['words', FORM, 'expiration=tomorrow'],
    ['RFC 3339', FORM, 'expiration=2030-01-01T00%3A00%3A00Z'],
    ['leading space', FORM, 'expiration=+1700000000'],
    ['trailing space', FORM, 'expiration=1700000000+'],
    ['13 digits', FORM, 'expiration=1234567890123'],
    ['JSON fraction', JSON_TYPE, '{"expiration":1700000000.5}'],
    ['JSON negative', JSON_TYPE, '{"expiration":-5}'],
    ['JSON huge', JSON_TYPE, '{"expiration":1e21}'],
  ])('refuses %s with invalid_request', (_name, contentType, body) => {
    const err = refusal(() => parse(contentType, body))
    expect(err.error).toBe('invalid_request')
    expect(err.message).toMatch(/expiration/)
  })
})

describe('parseTokenRequest: authentication method', () => {
  it.each<[string, string, string | undefined, Partial<TokenRequest>]>([
    [
      'Basic',
      form({ grant_type: 'client_credentials' }),
      basic('dev', 'pw'),
      { authMethod: 'client_secret_basic', clientId: 'dev', clientSecret: 'pw' },
    ],
    [
      'client_secret in the body',
      form({ client_id: 'dev', client_secret: 'pw' }),
      undefined,
      { authMethod: 'client_secret_post', clientId: 'dev', clientSecret: 'pw' },
    ],
    [
      'an empty client_secret in the body (treated as omitted, RFC 6749 §3.1)',
      form({ client_id: 'dev', client_secret: '' }),
      undefined,
      { authMethod: 'none', clientId: 'dev', clientSecret: undefined },
    ],
    [
      'client_id only',
      form({ client_id: 'dev' }),
      undefined,
      { authMethod: 'none', clientId: 'dev', clientSecret: undefined },
    ],
    [
      'nothing',
      form({ grant_type: 'client_credentials' }),
      undefined,
      { authMethod: 'none', clientId: undefined, clientSecret: undefined },
    ],
    [
      'a Bearer header (ignored) and a body secret',
      form({ client_id: 'dev', client_secret: 'pw' }),
      'Bearer abc',
      { authMethod: 'client_secret_post', clientId: 'dev', clientSecret: 'pw' },
    ],
    [
      'a client assertion',
      form({
        client_id: 'dev',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'eyJ...',
      }),
      undefined,
      {
        authMethod: 'none',
        clientAssertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        clientAssertion: 'eyJ...',
      },
    ],
  ])('%s', (_name, body, authorization, expected) => {
    expect(parse(FORM, body, authorization)).toMatchObject(expected)
  })

  it.each([
    ['token_name', 'tokenName'],
    ['client_assertion', 'clientAssertion'],
    ['client_assertion_type', 'clientAssertionType'],
  ] as const)('reads an empty %s as absent', (param, field) => {
    expect(parse(FORM, `${param}=`)[field]).toBeUndefined()
  })
})

describe('parseTokenRequest: every refusal is an OAuthError with a known code', () => {
  const codes: OAuthErrorCode[] = ['invalid_request', 'invalid_client']
  it.each([
    [FORM, 'a=1&a=2', undefined],
    [JSON_TYPE, '{', undefined],
    [FORM, '', 'Basic !!!!'],
  ])('%s %s', (contentType, body, authorization) => {
    const err = refusal(() => parse(contentType, body, authorization))
    expect(codes).toContain(err.error)
  })
})
