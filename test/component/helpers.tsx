import type { QueryClient } from '@tanstack/react-query'
import { render, type RenderResult } from '@testing-library/react'
import type { ReactNode } from 'react'
import { vi } from 'vitest'
import { buildConsoleApi, type ConsoleApi } from '../../shared/console-api'
import type {
  AppEvent,
  ClientView,
  Envelope,
  KeyView,
  LocalStatus,
  MethodName,
  MethodOutput,
  ParsedInput,
  StatusView,
} from '../../shared/contract/index'
import { contract } from '../../shared/contract/index'
import type { ExportedDocument } from '../../shared/contract/index'
import { createQueryClient } from '../../renderer/src/api/query-client'
import { AppProviders } from '../../renderer/src/shell/AppProviders'

type Handler<M extends MethodName> = (
  input: ParsedInput<M>,
) => MethodOutput<M> | Envelope<MethodOutput<M>> | Promise<MethodOutput<M>>
export type Handlers = { [M in MethodName]?: Handler<M> }

export interface FakeConsole {
  api: ConsoleApi
  /** Every call, in order, with its raw input. */
  calls: { method: MethodName; input: unknown }[]
  callsTo(method: MethodName): unknown[]
  emit(event: AppEvent): void
}

/** A handler may answer an envelope itself (to fail); values with an `ok` field are not one. */
function isEnvelope(v: unknown): v is Envelope<unknown> {
  if (typeof v !== 'object' || v === null || !('ok' in v)) return false
  return v.ok === true ? 'value' in v : 'error' in v
}

/**
 * A ConsoleApi over in-memory handlers. Like main's dispatcher it parses each input with the
 * contract's schema (so a test fails if the UI sends what main would refuse) and answers
 * envelopes; a method without a handler answers `not_found`.
 */
export function fakeConsole(handlers: Handlers): FakeConsole {
  const calls: FakeConsole['calls'] = []
  const listeners = new Set<(event: AppEvent) => void>()
  const call = vi.fn(async (method: MethodName, input: unknown): Promise<Envelope<unknown>> => {
    calls.push({ method, input })
    const parsed = contract[method].input.safeParse(input)
    if (!parsed.success) {
      return { ok: false, error: { code: 'invalid_input', message: parsed.error.message } }
    }
    const handler = handlers[method] as ((input: unknown) => unknown) | undefined
    if (!handler) return { ok: false, error: { code: 'not_found', message: `no fake ${method}` } }
    const value = await handler(parsed.data)
    return isEnvelope(value) ? value : { ok: true, value }
  })
  const api = buildConsoleApi(call, (listener) => {
    listeners.add(listener)
    return () => listeners.delete(listener)
  })
  return {
    api,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method).map((c) => c.input),
    emit: (event) => listeners.forEach((l) => l(event)),
  }
}

export function renderWithApp(
  ui: ReactNode,
  api: ConsoleApi,
): RenderResult & { queryClient: QueryClient } {
  // The app's own client (its caches report errors as notifications), without retries.
  const queryClient = createQueryClient()
  queryClient.setDefaultOptions({
    queries: { retry: false, staleTime: 30_000 },
    mutations: { retry: false },
  })
  const result = render(
    <AppProviders api={api} env="test" queryClient={queryClient}>
      {ui}
    </AppProviders>,
  )
  return { ...result, queryClient }
}

export const NOW = Math.floor(Date.now() / 1000)

export function keyView(overrides: Partial<KeyView> = {}): KeyView {
  return {
    kid: 'k-active',
    alg: 'ES256',
    state: 'active',
    origin: 'generated',
    createdAt: NOW - 86_400,
    activatedAt: NOW - 86_000,
    retireAt: null,
    ...overrides,
  }
}

export function statusView(overrides: Partial<StatusView> = {}): StatusView {
  return {
    setupCompleted: true,
    vault: { mode: 'keychain' },
    issuer: {
      issuer: 'https://127.0.0.1:8443/m2m-oauth-server',
      tokenEndpoint: 'https://127.0.0.1:8443/m2m-oauth-server/oauth/token',
      jwksUri: 'https://127.0.0.1:8443/m2m-oauth-server/.well-known/jwks.json',
      running: true,
      station: false,
    },
    caCertPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    activeKey: keyView(),
    counts: { clients: 1, tokens: 0, activeTokens: 0 },
    settings: {
      jobConcurrency: 16,
      clientAppUrl: 'http://localhost:8080',
      listenHost: '127.0.0.1',
      port: 8443,
      publicHost: null,
      ownerClaim: 'https://plgd.dev/owner',
      deviceIdClaim: 'https://plgd.dev/deviceId',
      maxLifetimeSeconds: 7 * 24 * 3600,
      iatBackdateSeconds: 0,
      ledgerRetentionSeconds: 30 * 24 * 3600,
      trustedAuthorities: [],
      station: false,
    },
    warnings: [],
    ...overrides,
  }
}

export function clientView(overrides: Partial<ClientView> = {}): ClientView {
  return {
    id: 'dps',
    owner: 'owner-1',
    allowedOwners: [],
    allowDeviceId: false,
    auth: { method: 'client_secret' },
    audiences: [],
    scopes: ['r:*', 'w:*'],
    maxLifetimeSeconds: 3600,
    extraClaims: {},
    tokenType: 'JWT',
    disabled: false,
    createdAt: NOW - 3600,
    updatedAt: NOW - 3600,
    secrets: [{ createdAt: NOW - 3600, expiresAt: null, fingerprint: '3f9a1c0e' }],
    ...overrides,
  }
}

/** A running client-application in PSK mode, initialised by this console for owner-1. */
export function localStatusView(overrides: Partial<LocalStatus> = {}): LocalStatus {
  return {
    url: 'http://localhost:8080',
    running: true,
    initialized: true,
    mode: 'PRE_SHARED_KEY',
    remoteProvisioning: null,
    owner: 'owner-1',
    ours: {
      mode: 'PRE_SHARED_KEY',
      owner: 'owner-1',
      clientId: null,
      hub: null,
      initializedAt: NOW - 600,
    },
    version: 'v2.0.0',
    defaultDiscoveryTimeoutSeconds: 5,
    problems: [],
    ...overrides,
  }
}

function base64Url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** An unsigned-looking compact JWT for decoding tests. */
export function fakeJwt(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return `${base64Url(header)}.${base64Url(payload)}.c2lnbmF0dXJl`
}

/** An export document as main answers it; the secret appears when one is given. */
export function exportedDocument(overrides: Partial<ExportedDocument> = {}): ExportedDocument {
  return {
    format: 'json',
    path: 'dps.json',
    mediaType: 'application/json',
    content: '{"clientId":"dps"}\n',
    containsSecret: false,
    redacted: true,
    placeholders: [],
    notes: [],
    ...overrides,
  }
}

export interface CapturedDownload {
  filename: string
  blob: Blob
}

/**
 * Catches downloads (Blob URL + anchor click) instead of letting jsdom navigate; `restore()`
 * puts the anchor back. Read a download with `blobText(d.blob)`.
 */
export function captureDownloads(): { downloads: CapturedDownload[]; restore: () => void } {
  const downloads: CapturedDownload[] = []
  const blobs = new Map<string, Blob>()
  let next = 0
  Object.assign(URL, {
    createObjectURL: (blob: Blob) => {
      const url = `blob:test-${++next}`
      blobs.set(url, blob)
      return url
    },
    revokeObjectURL: () => undefined,
  })
  const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    const blob = blobs.get(this.getAttribute('href') ?? '')
    if (blob) downloads.push({ filename: this.download, blob })
  })
  return { downloads, restore: () => click.mockRestore() }
}

/** A jsdom Blob's bytes (jsdom's Blob has no text() or arrayBuffer()). */
export function blobBytes(blob: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer))
    reader.onerror = () => reject(reader.error ?? new Error('unreadable blob'))
    reader.readAsArrayBuffer(blob)
  })
}

export async function blobText(blob: Blob): Promise<string> {
  return new TextDecoder().decode(await blobBytes(blob))
}
