import { request } from 'node:https'

export interface FetchedResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface HttpsGetOptions {
  /** PEM CA(s) to trust instead of the system pool (plgd hubs use a CA pool too). */
  caPem?: string | undefined
  timeoutMs?: number
  maxBytes?: number
  method?: 'GET' | 'HEAD'
  headers?: Record<string, string>
}

/**
 * A bounded HTTPS GET: time-limited, size-limited, https only. Used for remote discovery and
 * JWKS documents and for clock-skew probes; Node's fetch cannot take a CA pool.
 */
export function httpsGet(url: string, options: HttpsGetOptions = {}): Promise<FetchedResponse> {
  const target = new URL(url)
  if (target.protocol !== 'https:')
    return Promise.reject(new Error(`${url} is not an https:// URL`))
  const maxBytes = options.maxBytes ?? 1024 * 1024
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? 'GET',
        headers: { accept: 'application/json', ...options.headers },
        ...(options.caPem ? { ca: options.caPem } : {}),
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBytes) req.destroy(new Error(`${url} answered more than ${maxBytes} bytes`))
          else chunks.push(chunk)
        })
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        )
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer in time`)))
    req.on('error', reject)
    req.end()
  })
}

export async function httpsGetJson(url: string, options: HttpsGetOptions = {}): Promise<unknown> {
  const res = await httpsGet(url, options)
  if (res.status !== 200) throw new Error(`${url} answered HTTP ${res.status}`)
  try {
    return JSON.parse(res.body.toString('utf8')) as unknown
  } catch {
    throw new Error(`${url} did not answer JSON`)
  }
}
