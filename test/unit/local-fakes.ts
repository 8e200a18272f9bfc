import { randomBytes } from 'node:crypto'
import type { NetStreamResponse, StreamRequestOptions } from '../../electron/net/http-client.js'
import { NetError } from '../../electron/net/net-error.js'
import { ClientApps, type ClientAppSettings } from '../../electron/local/client-apps.js'
import type { ClientState } from '../../electron/local/client-app-status.js'
import { createPlgdClient } from '../../electron/plgd/plgd-http-client.js'
import { SealedBox } from '../../electron/secrets/sealed-box.js'
import type { Logger } from '../../electron/platform/logger.js'

/** Fakes for the local domain's unit tests: a scripted client-application behind the real client. */

export const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} }

export interface Sent {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
  bearer: string | undefined
}

/** What a route answers: a status and a JSON value, several JSON values (a stream), or no answer. */
export type Answer = { status?: number; json?: unknown; stream?: unknown[] } | 'refused'
export type Route = (sent: Sent) => Answer | Promise<Answer>

/** A plgd error body (interop §0). */
export const plgdError = (status: number, code: number, message: string): Answer => ({
  status,
  json: { code, message, details: [] },
})

/** A client-application answering from `routes` (`METHOD /path`), recording every request. */
export function fakeClientApp(routes: Record<string, Route>) {
  const sent: Sent[] = []
  const transport = async (url: URL, options: StreamRequestOptions): Promise<NetStreamResponse> => {
    const auth = (options.headers as Record<string, string> | undefined)?.authorization
    const one: Sent = {
      method: options.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: options.body === undefined ? undefined : (JSON.parse(String(options.body)) as unknown),
      bearer: auth?.replace(/^Bearer /, ''),
    }
    sent.push(one)
    const route = routes[`${one.method} ${one.path}`]
    const answer: Answer = route
      ? await route(one)
      : { status: 404, json: { code: 5, message: `no route ${one.path}` } }
    if (answer === 'refused') throw new NetError('tcp', 'connect ECONNREFUSED 127.0.0.1:8080')
    const text =
      answer.stream !== undefined
        ? answer.stream.map((v) => JSON.stringify({ result: v })).join('\n')
        : answer.json === undefined
          ? ''
          : JSON.stringify(answer.json)
    return {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json' },
      body: (async function* () {
        if (text) yield Buffer.from(text)
      })(),
    }
  }
  return { sent, transport }
}

/** A ClientApps over in-memory settings, a real sealer and the fake transport. */
export function clientAppsOver(
  transport: ReturnType<typeof fakeClientApp>['transport'],
  options: { clientState?: (id: string) => ClientState; settings?: ClientAppSettings } = {},
) {
  let settings: ClientAppSettings | undefined = options.settings
  const minted: { url: string; clientId: string; owner: string }[] = []
  const made: { baseUrl: string; timeoutMs?: number | undefined }[] = []
  const apps = new ClientApps({
    load: () => settings,
    save: (value) => {
      settings = value
    },
    sealer: new SealedBox(randomBytes(32)),
    clientState: options.clientState ?? (() => 'ok'),
    mintBearer: (url, clientId, owner) => {
      minted.push({ url, clientId, owner })
      return Promise.resolve({ token: `bearer-${clientId}-${owner}`, expiresAt: null })
    },
    makeClient: (o) => {
      made.push({ baseUrl: o.baseUrl, timeoutMs: o.timeoutMs })
      return createPlgdClient({
        ...o,
        service: 'client-application',
        log: quiet,
        transport,
        maxRetries: 0,
      })
    },
    nowSeconds: () => 1_700_000_000,
  })
  return { apps, minted, made, settings: () => settings }
}
