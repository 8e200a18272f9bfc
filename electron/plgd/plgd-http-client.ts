import {
  requestStream,
  type NetStreamResponse,
  type StreamRequestOptions,
} from '../net/http-client.js'
import { NetError } from '../net/net-error.js'
import type { Logger } from '../platform/logger.js'
import { JsonStreamError, parseJsonStream } from './json-stream.js'
import type { HttpMethod, PlgdClient, PlgdRequest } from './plgd-client.js'
import {
  errorFromNet,
  errorFromResponse,
  errorFromStreamStatus,
  PlgdError,
  summariseBody,
  type PlgdCallContext,
  type PlgdService,
  urlFix,
} from './plgd-error.js'
import { buildUrl } from './plgd-url.js'

/** How a request reaches the network; replaced by a fake in unit tests. */
export type PlgdTransport = (url: URL, options: StreamRequestOptions) => Promise<NetStreamResponse>

export interface PlgdClientOptions {
  /** `https://dps.example.com`, `https://api.hub/snippet-service`… */
  baseUrl: string
  /** How messages name the service; guessed from the URL when absent (http-gateway otherwise). */
  service?: PlgdService | undefined
  /** A bearer for each call (minted and recorded, or a pasted token). Never logged. Absent: anonymous calls (discovery). */
  bearer?: (() => Promise<string>) | undefined
  /** The PEM CA(s) the service's certificate chains to; the system pool when absent. */
  caPem?: string | null | undefined
  /** How long the service may stay silent (before answering, between chunks); 15 s. */
  timeoutMs?: number
  log: Logger
  /** The hub profile's name, for the commands a fix names. */
  hubName?: string | undefined
  /** The owner the bearer carries, for a 403's message. */
  owner?: string | undefined
  /** One streamed value larger than this is refused; 8 MiB. */
  maxValueBytes?: number
  /** Retries of an idempotent call after a network failure or 502/503/504; 2. */
  maxRetries?: number
  /** The first retry's delay, doubled for each next one; 300 ms. */
  retryDelayMs?: number
  transport?: PlgdTransport
}

const IDEMPOTENT = new Set<HttpMethod>(['GET', 'PUT', 'DELETE'])
const RETRY_STATUS = new Set([502, 503, 504])
/** A one-value answer larger than this is refused (a list is streamed instead). */
const MAX_JSON_BYTES = 8 * 1024 * 1024
/** Enough of an error body to quote; the rest is not read. */
const MAX_ERROR_BYTES = 64 * 1024

/**
 * The client every hub API call goes through (interop §0): bearer and JSON headers, the hub's
 * CA, timeouts, retries only for GET, PUT and DELETE, lists parsed as they stream, and every
 * failure a PlgdError that names the service, the call and the fix. Logs carry the method, the
 * path and the status only: never a header, a query or a body.
 */
export function createPlgdClient(options: PlgdClientOptions): PlgdClient {
  const transport = options.transport ?? ((url, opts) => requestStream(url, opts))
  const timeoutMs = options.timeoutMs ?? 15_000
  const maxRetries = options.maxRetries ?? 2
  const retryDelayMs = options.retryDelayMs ?? 300
  const { log } = options
  const service = options.service ?? guessService(options.baseUrl)

  const contextOf = (method: HttpMethod, path: string): PlgdCallContext => ({
    service,
    call: `${method} ${path}`,
    hubName: options.hubName,
    owner: options.owner,
    baseUrl: options.baseUrl,
  })

  /** Sends until a 2xx answer (returned unread) or a final failure (thrown as a PlgdError). */
  async function send(
    method: HttpMethod,
    path: string,
    request: PlgdRequest,
  ): Promise<NetStreamResponse> {
    const context = contextOf(method, path)
    const { signal } = request
    const url = buildUrl(options.baseUrl, path, request.query)
    const bearer = options.bearer ? await options.bearer() : undefined
    const body = request.body === undefined ? undefined : JSON.stringify(request.body)
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...request.headers,
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
    }
    const retries = IDEMPOTENT.has(method) ? maxRetries : 0
    for (let attempt = 0; ; attempt++) {
      const fields = { service, method, path, attempt }
      let res: NetStreamResponse
      try {
        res = await transport(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          caPem: options.caPem ?? undefined,
          timeoutMs,
          signal,
        })
      } catch (err) {
        if (signal?.aborted) throw signal.reason
        if (!(err instanceof NetError)) throw err
        if (attempt < retries && retryable(err)) {
          log.warn('plgd call failed, retrying', { ...fields, failure: err.failure })
          await sleep(retryDelayMs * 2 ** attempt, signal)
          continue
        }
        log.debug('plgd call failed', { ...fields, failure: err.failure })
        throw errorFromNet(context, err)
      }
      log.debug('plgd call', { ...fields, status: res.status })
      if (res.status >= 200 && res.status < 300) return res
      const text = await readText(res.body, MAX_ERROR_BYTES, signal, 'truncate')
      if (attempt < retries && RETRY_STATUS.has(res.status)) {
        log.warn('plgd call failed, retrying', { ...fields, status: res.status })
        await sleep(retryDelayMs * 2 ** attempt, signal)
        continue
      }
      throw errorFromResponse(context, res.status, text, String(res.headers['content-type'] ?? ''))
    }
  }

  return {
    baseUrl: options.baseUrl,

    async json<T>(method: HttpMethod, path: string, request: PlgdRequest = {}): Promise<T> {
      const context = contextOf(method, path)
      const res = await send(method, path, request)
      let text: string
      try {
        text = await readText(res.body, MAX_JSON_BYTES, request.signal, 'refuse')
      } catch (err) {
        throw bodyFailure(context, err, request.signal)
      }
      if (text.trim() === '') return undefined as T
      try {
        return JSON.parse(text) as T
      } catch (err) {
        throw new PlgdError(context, {
          detail: `${service} ${context.call} answered HTTP ${res.status} with a body that is not JSON: ${summariseBody(text, String(res.headers['content-type'] ?? ''))}`,
          fix: `the URL does not point at the ${service} itself: ${urlFix(context)}`,
          status: res.status,
          cause: err,
        })
      }
    },

    async *stream<T>(path: string, request: PlgdRequest = {}): AsyncGenerator<T> {
      const context = contextOf('GET', path)
      const res = await send('GET', path, request)
      let count = 0
      try {
        for await (const value of parseJsonStream(res.body, {
          maxValueBytes: options.maxValueBytes,
        })) {
          const entry = value as { result?: unknown; error?: unknown }
          if ('result' in entry) {
            count++
            yield entry.result as T
          } else if ('error' in entry) throw errorFromStreamStatus(context, entry.error)
          else throw new JsonStreamError('a value in the stream has neither "result" nor "error"')
        }
      } catch (err) {
        throw bodyFailure(context, err, request.signal)
      } finally {
        log.debug('plgd stream ended', { service, path, count })
      }
    },
  }
}

/** A failure while reading a 2xx body: a broken or silent connection, or a malformed list. */
function bodyFailure(
  context: PlgdCallContext,
  err: unknown,
  signal: AbortSignal | undefined,
): unknown {
  if (signal?.aborted && err === signal.reason) return err
  if (err instanceof NetError) return errorFromNet(context, err)
  if (err instanceof JsonStreamError) {
    return new PlgdError(context, {
      detail: `${context.service} ${context.call} sent a list this console cannot read: ${err.message}`,
      fix: `check that the URL points at the ${context.service} itself, not a proxy that rewrites answers`,
      cause: err,
    })
  }
  return err
}

/** The body as text, up to `limit` bytes: cut there (an error to quote) or refused. */
async function readText(
  body: AsyncIterable<Buffer>,
  limit: number,
  signal: AbortSignal | undefined,
  over: 'truncate' | 'refuse',
): Promise<string> {
  const parts: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of body) {
      if (size + chunk.length > limit) {
        if (over === 'refuse') throw new JsonStreamError(`the answer is larger than ${limit} bytes`)
        parts.push(chunk.subarray(0, limit - size))
        size = limit
        break
      }
      parts.push(chunk)
      size += chunk.length
    }
  } catch (err) {
    // An error body cut short is still worth quoting; anything else goes up.
    if (over === 'refuse' || signal?.aborted) throw err
  }
  return Buffer.concat(parts, size).toString('utf8')
}

/** The service a URL most likely is, for messages when the caller did not say. */
export function guessService(baseUrl: string): PlgdService {
  if (/snippet-service/i.test(baseUrl)) return 'snippet-service'
  if (/device-provisioning|\/\/dps[.-]|[.-]dps\./i.test(baseUrl)) return 'DPS'
  return 'http-gateway'
}

function retryable(err: NetError): boolean {
  if (err.failure === 'dns') return err.code === 'EAI_AGAIN'
  return err.failure === 'tcp' || err.failure === 'timeout' || err.failure === 'other'
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const done = (): void => {
      signal?.removeEventListener('abort', stop)
      resolve()
    }
    const timer = setTimeout(done, ms)
    const stop = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', stop, { once: true })
  })
}
