import { describe, expect, it } from 'vitest'
import type { NetStreamResponse, StreamRequestOptions } from '../../electron/net/http-client.js'
import { NetError } from '../../electron/net/net-error.js'
import { createLogger } from '../../electron/platform/logger.js'
import {
  createPlgdClient,
  guessService,
  type PlgdClientOptions,
} from '../../electron/plgd/plgd-http-client.js'
import {
  errorFromResponse,
  errorFromStreamStatus,
  PlgdError,
  summariseBody,
} from '../../electron/plgd/plgd-error.js'
import {
  dataUri,
  jsonContent,
  msFromNs,
  nsFromSeconds,
  readCount,
  readDataUri,
  readInt64,
  readJsonContent,
  secondsFromNs,
} from '../../electron/plgd/plgd-json.js'
import { buildUrl, hrefPath } from '../../electron/plgd/plgd-url.js'

const BEARER = 'eyJhbGciOiJFUzI1NiJ9.c2VjcmV0LWJlYXJlcg.c2lnbmF0dXJl'
const SECRET = 'data:,3f8b2c-very-secret'

type Answer = { status: number; body?: string | string[]; type?: string } | NetError

interface Sent {
  url: string
  options: StreamRequestOptions
}

/** A transport that answers from a script and records what was sent. */
function fakeTransport(answers: Answer[]) {
  const sent: Sent[] = []
  const transport = async (url: URL, options: StreamRequestOptions): Promise<NetStreamResponse> => {
    sent.push({ url: url.href, options })
    const answer = answers.shift()
    if (answer === undefined) throw new Error('no scripted answer left')
    if (answer instanceof NetError) throw answer
    const chunks = typeof answer.body === 'string' ? [answer.body] : (answer.body ?? [])
    return {
      status: answer.status,
      headers: { 'content-type': answer.type ?? 'application/json' },
      body: (async function* () {
        for (const c of chunks) yield Buffer.from(c)
      })(),
    }
  }
  return { sent, transport }
}

function client(answers: Answer[], extra: Partial<PlgdClientOptions> = {}) {
  const lines: string[] = []
  const fake = fakeTransport(answers)
  const log = createLogger({ json: true, level: 'debug', write: (l) => void lines.push(l) })
  const plgd = createPlgdClient({
    baseUrl: 'https://dps.example.com/',
    service: 'DPS',
    bearer: async () => BEARER,
    log,
    hubName: 'lab',
    owner: '1',
    retryDelayMs: 1,
    transport: fake.transport,
    ...extra,
  })
  return { plgd, lines, sent: fake.sent }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

const status = (code: number, message: string) =>
  JSON.stringify({ code, message, details: [] }) + '\n'

describe('createPlgdClient: requests', () => {
  it('sends the bearer, JSON headers and body, and builds the URL with repeated query keys', async () => {
    const { plgd, sent } = client([{ status: 200, body: '{"id":"h1"}' }])
    const got = await plgd.json('POST', '/api/v1/hubs', {
      query: { idFilter: ['a', 'b c'], none: undefined, one: 'x' },
      body: { hubId: 'h', authorization: { provider: { clientSecret: SECRET } } },
    })
    expect(got).toEqual({ id: 'h1' })
    expect(sent[0]?.url).toBe('https://dps.example.com/api/v1/hubs?idFilter=a&idFilter=b+c&one=x')
    expect(sent[0]?.options.method).toBe('POST')
    expect(sent[0]?.options.headers).toMatchObject({
      authorization: `Bearer ${BEARER}`,
      accept: 'application/json',
      'content-type': 'application/json',
    })
    expect(JSON.parse(String(sent[0]?.options.body))).toMatchObject({ hubId: 'h' })
    expect(sent[0]?.options.timeoutMs).toBe(15_000)
  })

  it('sends no Authorization header without a bearer (discovery) and no body on a GET', async () => {
    const { plgd, sent } = client([{ status: 200, body: '{}' }], { bearer: undefined })
    await plgd.json('GET', '/.well-known/hub-configuration')
    expect(sent[0]?.options.headers).not.toHaveProperty('authorization')
    expect(sent[0]?.options.headers).not.toHaveProperty('content-type')
    expect(sent[0]?.options).not.toHaveProperty('body')
  })

  it('answers undefined for an empty 2xx body', async () => {
    const { plgd } = client([{ status: 200, body: '' }])
    expect(await plgd.json('DELETE', '/api/v1/hubs')).toBeUndefined()
  })

  it('refuses a 2xx body that is not JSON, summarising it', async () => {
    const { plgd } = client([
      { status: 200, body: '<html><title>Welcome</title></html>', type: 'text/html' },
    ])
    await expect(plgd.json('GET', '/api/v1/x')).rejects.toThrow(/not JSON: an HTML page "Welcome"/)
  })
})

describe('createPlgdClient: streams', () => {
  it('yields each result of a list split across chunks', async () => {
    const body = '{"result":{"id":"a"}}\n{"result":{"id":"b","name":"}{"}}\n'
    const { plgd } = client([{ status: 200, body: [...body] }])
    expect(await collect(plgd.stream('/api/v1/hubs'))).toEqual([
      { id: 'a' },
      { id: 'b', name: '}{' },
    ])
  })

  it('reads an empty body as an empty list', async () => {
    const { plgd } = client([{ status: 200, body: '' }])
    expect(await collect(plgd.stream('/api/v1/hubs'))).toEqual([])
  })

  it('turns {"error": status} mid-stream into a PlgdError after the results before it', async () => {
    const { plgd } = client([
      { status: 200, body: `{"result":{"id":"a"}}\n{"error":${status(7, 'owner mismatch')}}` },
    ])
    const got: unknown[] = []
    const err = await collect(
      (async function* () {
        for await (const r of plgd.stream('/api/v1/hubs')) {
          got.push(r)
          yield r
        }
      })(),
    ).catch((e: unknown) => e)
    expect(got).toEqual([{ id: 'a' }])
    expect(err).toBeInstanceOf(PlgdError)
    expect((err as PlgdError).status).toBe(403)
    expect((err as PlgdError).message).toMatch(
      /DPS GET \/api\/v1\/hubs failed in the middle of its list \(PermissionDenied\): owner mismatch/,
    )
    expect((err as PlgdError).fix).toMatch(/owner "1"/)
  })

  it('refuses a value with neither result nor error, and a truncated list', async () => {
    const { plgd } = client([
      { status: 200, body: '{"other":1}' },
      { status: 200, body: '{"result":{"id":' },
    ])
    await expect(collect(plgd.stream('/a'))).rejects.toThrow(
      /cannot read: .*neither "result" nor "error"/,
    )
    await expect(collect(plgd.stream('/a'))).rejects.toThrow(/ended inside a value/)
  })

  it('maps a non-2xx answer of a list call like any other', async () => {
    const { plgd } = client([{ status: 401, body: status(16, 'invalid token') }])
    await expect(collect(plgd.stream('/api/v1/hubs'))).rejects.toThrow(/HTTP 401: invalid token/)
  })

  it('wraps a connection lost mid-stream as a PlgdError carrying the NetError', async () => {
    const lost = new NetError(
      'timeout',
      'dps.example.com stopped sending in the middle of its answer',
    )
    const { plgd } = client([], {
      transport: async () => ({
        status: 200,
        headers: {},
        body: (async function* () {
          yield Buffer.from('{"result":1}')
          throw lost
        })(),
      }),
    })
    const err = (await collect(plgd.stream('/a')).catch((e: unknown) => e)) as PlgdError
    expect(err).toBeInstanceOf(PlgdError)
    expect(err.net).toBe(lost)
    expect(err.fix).toMatch(/did not answer in time/)
  })
})

describe('createPlgdClient: retries', () => {
  it('retries a GET, PUT and DELETE after a 503 and answers the next success', async () => {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const { plgd, sent, lines } = client([
        { status: 503, body: 'upstream down', type: 'text/plain' },
        { status: 200, body: '{"ok":true}' },
      ])
      expect(await plgd.json(method, '/api/v1/hubs/x')).toEqual({ ok: true })
      expect(sent).toHaveLength(2)
      expect(lines.some((l) => l.includes('retrying'))).toBe(true)
    }
  })

  it('retries at most twice, then reports the last failure', async () => {
    const { plgd, sent } = client([
      { status: 502 },
      { status: 504 },
      { status: 503, body: status(14, 'no db') },
      { status: 200 },
    ])
    const err = (await plgd.json('GET', '/x').catch((e: unknown) => e)) as PlgdError
    expect(sent).toHaveLength(3)
    expect(err.status).toBe(503)
    expect(err.message).toMatch(/HTTP 503: no db/)
  })

  it('retries a GET after a TCP failure or a timeout, but not after a TLS failure', async () => {
    const tcp = new NetError('tcp', 'dps.example.com refused the connection', {
      code: 'ECONNREFUSED',
    })
    const a = client([tcp, { status: 200, body: '1' }])
    expect(await a.plgd.json('GET', '/x')).toBe(1)
    const timeout = new NetError('timeout', 'no answer')
    const b = client([timeout, timeout, timeout])
    const err = (await b.plgd.json('GET', '/x').catch((e: unknown) => e)) as PlgdError
    expect(b.sent).toHaveLength(3)
    expect(err.net?.failure).toBe('timeout')
    const tls = new NetError('tls', 'dps.example.com presented a certificate that is not trusted', {
      tls: 'untrusted',
    })
    const c = client([tls, { status: 200 }])
    const tlsErr = (await c.plgd.json('GET', '/x').catch((e: unknown) => e)) as PlgdError
    expect(c.sent).toHaveLength(1)
    expect(tlsErr.net?.tls).toBe('untrusted')
    expect(tlsErr.fix).toMatch(/hubs update lab --ca FILE/)
  })

  it('never retries a POST, neither after a 503 nor after a network failure', async () => {
    const a = client([{ status: 503 }, { status: 200 }])
    await expect(a.plgd.json('POST', '/x', { body: {} })).rejects.toThrow(/HTTP 503/)
    expect(a.sent).toHaveLength(1)
    const b = client([new NetError('tcp', 'reset', { code: 'ECONNRESET' }), { status: 200 }])
    await expect(b.plgd.json('POST', '/x', { body: {} })).rejects.toBeInstanceOf(PlgdError)
    expect(b.sent).toHaveLength(1)
  })

  it('does not retry other statuses (400, 401, 404, 500)', async () => {
    for (const code of [400, 401, 404, 500]) {
      const { plgd, sent } = client([{ status: code }, { status: 200 }])
      await expect(plgd.json('GET', '/x')).rejects.toBeInstanceOf(PlgdError)
      expect(sent).toHaveLength(1)
    }
  })

  it('stops waiting to retry when the signal aborts, with the abort reason', async () => {
    const controller = new AbortController()
    const { plgd, sent } = client([{ status: 503 }, { status: 200 }], { retryDelayMs: 10_000 })
    const pending = plgd.json('GET', '/x', { signal: controller.signal })
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 20)
    await expect(pending).rejects.toThrow('cancelled by the user')
    expect(sent).toHaveLength(1)
  })
})

describe('createPlgdClient: logging', () => {
  it('logs the method, path and status, never the bearer, a query or a body', async () => {
    const { plgd, lines } = client([
      { status: 503 },
      { status: 200, body: '{}' },
      { status: 401, body: status(16, 'invalid token') },
      new NetError('tcp', 'refused', { code: 'ECONNREFUSED' }),
      { status: 200, body: '{"result":{"clientSecret":"x"}}' },
    ])
    await plgd.json('PUT', '/api/v1/hubs/h1', {
      body: { clientSecret: SECRET },
      query: { token: 'q-secret' },
    })
    await plgd
      .json('POST', '/api/v1/hubs', { body: { clientSecret: SECRET } })
      .catch(() => undefined)
    await plgd
      .json('POST', '/api/v1/hubs', { body: { clientSecret: SECRET } })
      .catch(() => undefined)
    await collect(plgd.stream('/api/v1/hubs'))
    const all = lines.join('')
    expect(lines.length).toBeGreaterThanOrEqual(5)
    for (const secret of [BEARER, 'very-secret', 'q-secret', 'Bearer'])
      expect(all).not.toContain(secret)
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>
    expect(first).toMatchObject({
      service: 'DPS',
      method: 'PUT',
      path: '/api/v1/hubs/h1',
      status: 503,
    })
  })
})

describe('PlgdError messages', () => {
  const context = {
    service: 'DPS' as const,
    call: 'POST /api/v1/hubs',
    hubName: 'lab',
    owner: 'alice',
  }

  it('names the service, the call, the status and plgd message, then the fix', () => {
    const err = errorFromResponse(
      context,
      401,
      status(16, 'cannot access to /api/v1/hubs: invalid token: could not get jwks'),
    )
    expect(err.message).toBe(
      'DPS POST /api/v1/hubs answered HTTP 401: cannot access to /api/v1/hubs: invalid token: could not get jwks. ' +
        'Fix: the DPS does not trust this issuer: add it to authorization.endpoints (hubs check lab shows the snippet)',
    )
    expect(err.expose).toBe(true)
    expect(err.grpcCode).toBe(16)
    expect(err.detail).not.toContain('Fix')
  })

  it.each([
    [401, status(16, 'invalid token: token is expired'), /clock/],
    [401, status(16, 'cannot get owner'), /owner claim/],
    [403, status(7, 'owner mismatch'), /owner "alice"/],
    [404, status(5, 'not found'), /list what exists/],
    [404, '404 page not found\n', /URL seems wrong/],
    [409, status(6, 'already exists'), /already exists/],
    [400, status(3, 'invalid certificateChain'), /correct the value/],
    [429, status(8, 'slow down'), /concurrency/],
    [503, status(14, 'unavailable'), /not available/],
    [504, '', /did not answer in time/],
    [500, status(13, 'boom'), /its log/],
  ])('gives a fix for HTTP %i', (code, body, fix) => {
    expect(errorFromResponse(context, code, body).fix).toMatch(fix)
  })

  it('maps statuses to the shared error codes', () => {
    expect(errorFromResponse(context, 400, '').code).toBe('invalid_input')
    expect(errorFromResponse(context, 404, '').code).toBe('not_found')
    expect(errorFromResponse(context, 409, status(6, 'x')).code).toBe('already_exists')
    expect(errorFromResponse(context, 409, status(10, 'x')).code).toBe('conflict')
    expect(errorFromResponse(context, 401, '').code).toBe('policy_violation')
    expect(errorFromResponse(context, 503, status(14, 'x')).code).toBe('upstream')
    expect(errorFromResponse(context, 500, '').code).toBe('upstream')
  })

  it('says 403 without an owner when the bearer owner is unknown', () => {
    const err = errorFromResponse({ ...context, owner: undefined }, 403, status(7, 'denied'))
    expect(err.fix).not.toMatch(/undefined/)
  })

  it('summarises an ingress HTML page instead of dumping it', () => {
    const page = `<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(5000)}</body></html>`
    const err = errorFromResponse(context, 502, page, 'text/html')
    expect(err.message).toMatch(/HTTP 502: an HTML page "502 Bad Gateway"/)
    expect(err.message.length).toBeLessThan(400)
    expect(summariseBody('a'.repeat(500))).toHaveLength(122)
    expect(summariseBody('')).toBe('')
  })

  it('reads a status whose default-marshalled fields were dropped', () => {
    const err = errorFromStreamStatus(context, { message: 'no code' })
    expect(err.grpcCode).toBe(2)
    expect(errorFromResponse(context, 400, '{"code":3}').message).toMatch(
      /HTTP 400: InvalidArgument/,
    )
  })
})

describe('plgd-json', () => {
  it('writes data: URIs and reads both forms back', () => {
    expect(dataUri('-----BEGIN')).toBe('data:;base64,LS0tLS1CRUdJTg==')
    expect(dataUri(Uint8Array.of(0, 255))).toBe('data:;base64,AP8=')
    expect(readDataUri('data:;base64,LS0tLS1CRUdJTg==')?.toString()).toBe('-----BEGIN')
    expect(readDataUri('data:,3f8b2c-very%20secret')?.toString()).toBe('3f8b2c-very secret')
    expect(readDataUri('/etc/dps/secret')).toBeNull()
  })

  it('encodes JSON content as snippet-service expects, and decodes both answer forms', () => {
    expect(jsonContent({ power: 42 })).toEqual({
      contentType: 'application/json',
      coapContentFormat: 50,
      data: 'eyJwb3dlciI6NDJ9',
    })
    expect(readJsonContent(jsonContent({ power: 42 }))).toEqual({ power: 42 })
    expect(readJsonContent({ power: 42 })).toEqual({ power: 42 })
    expect(() =>
      readJsonContent({ contentType: 'application/vnd.ocf+cbor', data: 'oA==' }),
    ).toThrow(/cbor, not JSON/)
    expect(() => jsonContent(undefined)).toThrow(TypeError)
  })

  it('converts nanosecond durations and int64 strings', () => {
    expect(nsFromSeconds(60)).toBe('60000000000')
    expect(nsFromSeconds(0)).toBe('0')
    expect(nsFromSeconds(1.5)).toBe('1500000000')
    expect(() => nsFromSeconds(-1)).toThrow(RangeError)
    expect(secondsFromNs('60000000000')).toBe(60)
    expect(secondsFromNs(1_500_000_000)).toBe(1.5)
    expect(secondsFromNs(undefined)).toBe(0)
    expect(msFromNs('1751476400123456789')).toBe(1751476400123)
    expect(readInt64('9223372036854775807')).toBe(9223372036854775807n)
    expect(() => readInt64('12a')).toThrow(/not an int64/)
    expect(readCount('42')).toBe(42)
    expect(() => readCount('9007199254740993')).toThrow(/does not fit/)
  })
})

describe('URLs', () => {
  it('keeps a base path prefix and escapes ids and hrefs', () => {
    expect(buildUrl('https://api.hub/snippet-service/', 'api/v1/configurations').href).toBe(
      'https://api.hub/snippet-service/api/v1/configurations',
    )
    expect(hrefPath('/light/1')).toBe('light/1')
    expect(hrefPath('/a b/c?d')).toBe('a%20b/c%3Fd')
  })

  it('guesses the service from its URL when not told', () => {
    expect(guessService('https://api.hub/snippet-service')).toBe('snippet-service')
    expect(guessService('https://dps.hub.example')).toBe('DPS')
    expect(guessService('https://api.hub')).toBe('http-gateway')
  })
})
