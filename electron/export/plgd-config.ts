import { parse } from 'yaml'
import type { PlgdReference } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { readDataUri } from '../plgd/plgd-json.js'

/**
 * plgd m2m-oauth-server's `config.yaml` as graduation writes it and import reads it (interop
 * §1.11), its Go durations and its URI-scheme file references (path, `file://`, `data:`).
 */

export interface PlgdEndpoint {
  authority: string
  http?: { tls?: { caPool?: string | string[]; useSystemCAPool?: boolean } }
}

export interface PlgdClient {
  id: string
  secretFile?: string
  owner?: string
  accessTokenLifetime: string
  allowedGrantTypes: string[]
  allowedAudiences: string[]
  allowedScopes: string[]
  insertTokenClaims: Record<string, unknown>
  jwtPrivateKey?: {
    enabled: boolean
    authorization?: { audience?: string; endpoints?: PlgdEndpoint[] }
  }
}

export interface PlgdOauthSigner {
  privateKeyFile: string
  domain: string
  ownerClaim: string
  deviceIDClaim?: string
  clients: PlgdClient[]
}

/** The fields each object may hold: anything else is reported by import (plgd would ignore it). */
export const KNOWN_SIGNER_FIELDS = [
  'privateKeyFile',
  'domain',
  'ownerClaim',
  'deviceIDClaim',
  'clients',
] as const
export const KNOWN_CLIENT_FIELDS = [
  'id',
  'secretFile',
  'owner',
  'accessTokenLifetime',
  'allowedGrantTypes',
  'allowedAudiences',
  'allowedScopes',
  'insertTokenClaims',
  'jwtPrivateKey',
] as const
/** Top-level blocks of the server's config besides `oauthSigner` (read by the server, not here). */
export const KNOWN_TOP_LEVEL = ['oauthSigner', 'apis', 'clients', 'log'] as const

/** The one grant plgd's clients accept. */
export const CLIENT_CREDENTIALS = 'client_credentials'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A config.yaml read as YAML, with its `oauthSigner` block; refused, saying why, otherwise. */
export function readPlgdConfig(configYaml: string): {
  config: Record<string, unknown>
  signer: Record<string, unknown>
} {
  let config: unknown
  try {
    config = parse(configYaml)
  } catch (cause) {
    const reason = (cause as Error).message.split('\n')[0]
    throw new AppError('invalid_input', `config.yaml is not YAML: ${reason}`, { cause })
  }
  if (!isObject(config) || !isObject(config.oauthSigner)) {
    throw new AppError(
      'invalid_input',
      'config.yaml has no oauthSigner block: choose the m2m-oauth-server config',
    )
  }
  return { config, signer: config.oauthSigner }
}

/**
 * The files an `oauthSigner` block names (the signing key, each client's secret, the CAs of a
 * jwtPrivateKey client's authorities), each once, in the config's order: what import needs
 * beside config.yaml. `data:` references carry their content and need no file.
 */
export function plgdReferences(signer: Record<string, unknown>): PlgdReference[] {
  const found = new Map<string, string>()
  const add = (reference: unknown, what: string) => {
    if (typeof reference !== 'string' || reference.trim() === '') return
    if (reference.startsWith('data:') || found.has(reference)) return
    found.set(reference, what)
  }
  add(signer.privateKeyFile, 'oauthSigner.privateKeyFile')
  const clients = Array.isArray(signer.clients) ? signer.clients : []
  clients.forEach((c: unknown, i) => {
    if (!isObject(c)) return
    const at = `oauthSigner.clients[${i}]`
    add(c.secretFile, `${at}.secretFile (client ${String(c.id)})`)
    const jwt = isObject(c.jwtPrivateKey) ? c.jwtPrivateKey : {}
    const authorization = isObject(jwt.authorization) ? jwt.authorization : {}
    const endpoints = Array.isArray(authorization.endpoints) ? authorization.endpoints : []
    endpoints.forEach((e: unknown, j) => {
      const tls = isObject(e) && isObject(e.http) && isObject(e.http.tls) ? e.http.tls : {}
      const pool = Array.isArray(tls.caPool) ? tls.caPool : [tls.caPool]
      for (const ref of pool) {
        add(ref, `${at}.jwtPrivateKey.authorization.endpoints[${j}].http.tls.caPool`)
      }
    })
  })
  return [...found].map(([reference, what]) => ({ reference, what }))
}

/** Seconds as a Go duration plgd parses: `3600s`. */
export function goDuration(seconds: number): string {
  return `${seconds}s`
}

const GO_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
}

/** A Go duration (`1h30m`, `3600s`, `0s`, `0`) in whole seconds; null when it is not one. */
export function parseGoDuration(text: string): number | null {
  const value = text.trim()
  if (value === '0') return 0
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) return null
  const seconds = parts.reduce((sum, [, n, unit]) => sum + Number(n) * (GO_UNITS[unit!] ?? 0), 0)
  return Math.round(seconds)
}

/**
 * The bytes a URI-scheme reference names: a `data:` URI itself, else the file the caller read
 * for it (by the reference as written in the config). Refuses a missing one, naming it.
 */
export function resolveReference(
  reference: string,
  files: Record<string, string>,
  what: string,
): string {
  const inline = readDataUri(reference)
  if (inline) return inline.toString('utf8')
  const content = files[reference]
  if (content === undefined) {
    throw new AppError(
      'invalid_input',
      `${what} names ${reference}, which was not given: put the file there (relative to ` +
        'the config) or inline it as a data: URI',
    )
  }
  return content
}

/** The path a reference names on disk: `file:///x` → `/x`; a path stays; `data:` → null. */
export function referencePath(reference: string): string | null {
  if (reference.startsWith('data:')) return null
  if (reference.startsWith('file://')) return decodeURIComponent(new URL(reference).pathname)
  return reference
}
