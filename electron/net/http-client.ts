import {
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http'
import { request as httpsRequest } from 'node:https'
import { classifyNetError, NetError } from './net-error.js'

export interface NetResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  /** PEM CA(s) to trust instead of the system pool (plgd hubs use a CA pool too). */
  caPem?: string | undefined
  /** How long the server may stay silent (resolving, connecting or answering); 10 s by default. */
  timeoutMs?: number
  /** Larger answers are refused; 1 MiB by default. */
  maxBytes?: number
}

export type HttpsGetOptions = Omit<RequestOptions, 'method' | 'body'> & {
  method?: 'GET' | 'HEAD'
}

/**
 * One bounded HTTP(S) request to an outside server: time-limited, size-limited, with a chosen
 * CA, and every failure a NetError that names its layer. Node's fetch cannot take a CA pool.
 * Any HTTP status resolves: what counts as success is the caller's.
 */
export function request(url: string | URL, options: RequestOptions = {}): Promise<NetResponse> {
  let target: URL
  try {
    target = new URL(url)
  } catch (err) {
    return Promise.reject(new NetError('url', `${String(url)} is not a URL`, { cause: err }))
  }
  const send =
    target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : null
  if (!send) return Promise.reject(new NetError('url', `${target.href} is not an http(s):// URL`))
  const maxBytes = options.maxBytes ?? 1024 * 1024
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (err: unknown): void => {
      if (settled) return
      settled = true
      reject(classifyNetError(err, target))
    }
    // Settles first, then destroys without an error: an error passed to destroy() once the
    // response has ended reaches no listener and would crash the process.
    const abort = (err: NetError): void => {
      fail(err)
      req.destroy()
    }
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: {
          ...options.headers,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        ...(options.caPem ? { ca: options.caPem } : {}),
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size <= maxBytes) return void chunks.push(chunk)
          abort(new NetError('body', `${url} answered more than ${maxBytes} bytes`))
        })
        res.on('end', () => {
          if (settled) return
          settled = true
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          })
        })
        res.on('error', fail)
      },
    )
    req.on('timeout', () => abort(new NetError('timeout', `${url} did not answer in time`)))
    req.on('error', fail)
    req.end(body)
  })
}

/** A bounded GET (or HEAD) of an https:// URL only: remote discovery, JWKS, clock probes. */
export function httpsGet(url: string, options: HttpsGetOptions = {}): Promise<NetResponse> {
  if (URL.parse(url)?.protocol !== 'https:')
    return Promise.reject(new NetError('url', `${url} is not an https:// URL`))
  return request(url, { ...options, headers: { accept: 'application/json', ...options.headers } })
}

/** httpsGet that wants a 200 with a JSON body. */
export async function httpsGetJson(url: string, options: HttpsGetOptions = {}): Promise<unknown> {
  const res = await httpsGet(url, options)
  if (res.status !== 200)
    throw new NetError('http', `${url} answered HTTP ${res.status}`, { status: res.status })
  try {
    return JSON.parse(res.body.toString('utf8')) as unknown
  } catch (err) {
    throw new NetError('body', `${url} did not answer JSON`, { cause: err })
  }
}

export interface StreamRequestOptions extends Omit<RequestOptions, 'maxBytes' | 'timeoutMs'> {
  /** How long the server may stay silent: before answering, and between two body chunks. */
  timeoutMs?: number
  /** Aborts the request, before or during the body; the pending step rejects with the reason. */
  signal?: AbortSignal | undefined
}

export interface NetStreamResponse {
  status: number
  headers: IncomingHttpHeaders
  /**
   * The body as it arrives, read with back-pressure (memory stays flat however long it is).
   * Fails with a NetError (timeout between chunks, connection lost) or the abort reason.
   * Leaving the loop early closes the connection.
   */
  body: AsyncIterable<Buffer>
}

/**
 * One HTTP(S) request whose answer is read as a stream: resolves at the status line, then the
 * body is iterated chunk by chunk. Same CA, timeouts and NetError layers as `request`.
 */
export function requestStream(
  url: string | URL,
  options: StreamRequestOptions = {},
): Promise<NetStreamResponse> {
  let target: URL
  try {
    target = new URL(url)
  } catch (err) {
    return Promise.reject(new NetError('url', `${String(url)} is not a URL`, { cause: err }))
  }
  const send =
    target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : null
  if (!send) return Promise.reject(new NetError('url', `${target.href} is not an http(s):// URL`))
  const { signal } = options
  if (signal?.aborted) return Promise.reject(abortReason(signal))
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined
    let settled = false
    // Before the answer the promise rejects; after it the body's iterator throws.
    const fail = (err: unknown): void => {
      const error = err === signal?.reason ? err : classifyNetError(err, target)
      if (response) response.destroy(error instanceof Error ? error : new Error(String(error)))
      else if (!settled) {
        settled = true
        signal?.removeEventListener('abort', onAbort)
        reject(error)
      }
      req.destroy()
    }
    const onAbort = (): void => fail(abortReason(signal as AbortSignal))
    signal?.addEventListener('abort', onAbort, { once: true })
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: {
          ...options.headers,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        ...(options.caPem ? { ca: options.caPem } : {}),
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        response = res
        settled = true
        res.on('close', () => signal?.removeEventListener('abort', onAbort))
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: readChunks(res, req, target, signal),
        })
      },
    )
    req.on('timeout', () =>
      fail(
        new NetError(
          'timeout',
          response
            ? `${target.host} stopped sending in the middle of its answer`
            : `${url} did not answer in time`,
        ),
      ),
    )
    req.on('error', fail)
    req.end(body)
  })
}

async function* readChunks(
  res: IncomingMessage,
  req: ClientRequest,
  target: URL,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk as Buffer
  } catch (err) {
    throw err instanceof NetError || (signal?.aborted && err === signal.reason)
      ? err
      : classifyNetError(err, target)
  } finally {
    // Also reached when the consumer stops early: the rest of the body is not wanted.
    if (!res.complete) req.destroy()
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The request was aborted', 'AbortError')
}
