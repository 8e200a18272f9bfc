/**
 * What every hub API call goes through (implemented by plgd/plgd-http-client.ts): grpc-gateway
 * conventions (interop §0), plgd error bodies mapped to clear messages, the hub's CA, timeouts,
 * retries only where idempotent, and never a bearer or a secret in a log line.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'
export type Query = Record<string, string | string[] | undefined>

export interface PlgdRequest {
  query?: Query
  body?: unknown
  /** Extra headers (Content-Type for http-gateway's protojson updates, say). */
  headers?: Record<string, string>
  signal?: AbortSignal
}

export interface PlgdClient {
  /** The service's base URL (`https://dps.example.com`, `https://api.hub/snippet-service`…). */
  readonly baseUrl: string
  /** One call answered by one JSON value (or none). Retried only for GET, PUT and DELETE. */
  json<T>(method: HttpMethod, path: string, request?: PlgdRequest): Promise<T>
  /** A server-streaming list: each `{"result": …}` value as it is parsed, never the whole body. */
  stream<T>(path: string, request?: PlgdRequest): AsyncIterable<T>
}
