import type * as oidc from 'openid-client'
import { httpRequest } from './cli.js'

export interface SeenRequest {
  url: string
  method: string
  headers: Record<string, string>
  body: string | undefined
}

/**
 * openid-client's customFetch over node:https with the issuer's CA (as plgd services use a CA
 * pool, not the system one); every request is appended to `seen` for the test to inspect.
 */
export function caFetch(ca: string, seen: SeenRequest[] = []): oidc.CustomFetch {
  return async (url, options) => {
    const raw = options.body
    let body: string | undefined
    if (raw === undefined || raw === null) body = undefined
    else if (typeof raw === 'string') body = raw
    else if (raw instanceof URLSearchParams) body = raw.toString()
    else if (raw instanceof Uint8Array) body = Buffer.from(raw).toString('utf8')
    else if (raw instanceof ArrayBuffer) body = Buffer.from(raw).toString('utf8')
    else throw new Error('streamed bodies are not used by these tests')
    const headers = options.headers as Record<string, string>
    seen.push({ url, method: options.method, headers, body })
    const res = await httpRequest(url, {
      method: options.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ca,
    })
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(res.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        responseHeaders.append(name, v)
      }
    }
    // An empty 200 (RFC 7009 revocation) has no body at all.
    return new Response(res.status === 200 && res.text === '' ? null : res.text, {
      status: res.status,
      headers: responseHeaders,
    })
  }
}
