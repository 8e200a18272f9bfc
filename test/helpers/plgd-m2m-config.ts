import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { parse } from 'yaml'
import { v5 as uuidv5 } from 'uuid'

/**
 * The tests' own reading of an m2m-oauth-server `config.yaml`, written from plgd's behaviour
 * (interop §1.6, §1.11, §1.12) and not from the product's code: what plgd's server would load
 * and serve. It throws where the server would refuse to start.
 */

export interface PlgdServedClient {
  id: string
  /** The raw bytes of secretFile (plgd does not trim them); null for a jwtPrivateKey client. */
  secret: Buffer | null
  owner: string
  /** Seconds; 0 = tokens without `exp`. */
  accessTokenLifetimeSeconds: number
  allowedAudiences: string[]
  allowedScopes: string[]
  insertTokenClaims: Record<string, unknown>
  jwtPrivateKey: { enabled: boolean; authorities: string[]; caPools: Buffer[] }
}

export interface PlgdServed {
  issuer: string
  ownerClaim: string
  deviceIDClaim: string
  clients: PlgdServedClient[]
  /** The JWKS plgd serves: exactly one key, kid = UUIDv5(X500, SPKI DER), alg from the key. */
  jwks: { keys: { kid: string; alg: string; kty: string }[] }
  /** The signing key as plgd parsed it. */
  privateKey: KeyObject
}

const X500 = '6ba7b814-9dad-11d1-80b4-00c04fd430c8'

/** plgd's URI-scheme file strings: `data:;base64,…`, `data:,…`, `file:///…` or a path. */
export function readUriScheme(value: string, baseDir: string): Buffer {
  const data = /^data:([^,]*),(.*)$/s.exec(value)
  if (data) {
    const [, meta = '', payload = ''] = data
    return meta.split(';').includes('base64')
      ? Buffer.from(payload, 'base64')
      : Buffer.from(decodeURIComponent(payload), 'utf8')
  }
  const path = value.startsWith('file://') ? new URL(value).pathname : value
  return readFileSync(isAbsolute(path) ? path : resolve(baseDir, path))
}

/** Go's time.ParseDuration for the units a config uses. */
export function goDurationSeconds(text: string): number {
  if (text === '0') return 0
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 }
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`time: invalid duration "${text}"`)
  }
  return parts.reduce((s, [, n, u]) => s + Number(n) * units[u!]!, 0)
}

/** The first PEM block, tried as PKCS#8, then SEC1 EC, then PKCS#1 RSA (§1.12). */
export function parsePlgdKey(pem: Buffer): KeyObject {
  const text = pem.toString('utf8')
  const block = /-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/.exec(text)
  if (!block) throw new Error('privateKeyFile: no PEM block')
  const der = Buffer.from(block[0].replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64')
  const tries: [string, () => KeyObject][] = [
    ['pkcs8', () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })],
    ['sec1', () => createPrivateKey({ key: der, format: 'der', type: 'sec1' })],
    ['pkcs1', () => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })],
  ]
  for (const [, attempt] of tries) {
    try {
      return attempt()
    } catch {
      // the next format
    }
  }
  throw new Error('privateKeyFile: not a PKCS#8, SEC1 or PKCS#1 private key')
}

/** The alg plgd picks for a key (§1.12). */
export function plgdAlg(key: KeyObject): string {
  const d = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'ec') {
    return (
      { 'P-384': 'ES384', secp384r1: 'ES384', 'P-521': 'ES512', secp521r1: 'ES512' }[
        d.namedCurve ?? ''
      ] ?? 'ES256'
    )
  }
  if (key.asymmetricKeyType === 'rsa') {
    return { 3072: 'RS384', 4096: 'RS512' }[d.modulusLength ?? 0] ?? 'RS256'
  }
  throw new Error(`failed to build the JWK: ${key.asymmetricKeyType} keys are not supported`)
}

export function plgdKidOf(key: KeyObject): string {
  return uuidv5(createPublicKey(key).export({ format: 'der', type: 'spki' }), X500)
}

const list = (v: unknown, at: string): string[] => {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new Error(`${at}: not a list`)
  return v as string[]
}

/** Loads a config as plgd's server does at start; `baseDir` resolves relative file paths. */
export function loadPlgdConfig(yamlText: string, baseDir: string): PlgdServed {
  const config = parse(yamlText) as { oauthSigner?: Record<string, unknown> } | null
  const s = config?.oauthSigner
  if (!s) throw new Error('oauthSigner: missing')
  if (typeof s.domain !== 'string' || s.domain === '')
    throw new Error('oauthSigner.domain: required')
  if (typeof s.privateKeyFile !== 'string' || s.privateKeyFile === '') {
    throw new Error('oauthSigner.privateKeyFile: required')
  }
  if (!Array.isArray(s.clients) || s.clients.length === 0) {
    throw new Error('oauthSigner.clients: required')
  }
  const privateKey = parsePlgdKey(readUriScheme(s.privateKeyFile, baseDir))
  const alg = plgdAlg(privateKey)
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as { kty: string }
  const clients = (s.clients as Record<string, unknown>[]).map((c, i): PlgdServedClient => {
    const at = `oauthSigner.clients[${i}]`
    if (typeof c.id !== 'string' || c.id === '') throw new Error(`${at}.id: required`)
    const jwt = (c.jwtPrivateKey ?? {}) as {
      enabled?: boolean
      authorization?: { endpoints?: { authority: string; http?: { tls?: { caPool?: unknown } } }[] }
    }
    const enabled = jwt.enabled === true
    const grants = list(c.allowedGrantTypes, `${at}.allowedGrantTypes`)
    if (grants.length === 0 || grants.some((g) => g !== 'client_credentials')) {
      throw new Error(`${at}.allowedGrantTypes: only client_credentials is supported`)
    }
    const owner = typeof c.owner === 'string' ? c.owner : ''
    if (!enabled && owner === '') throw new Error(`${at}.owner: required`)
    if (!enabled && (typeof c.secretFile !== 'string' || c.secretFile === '')) {
      throw new Error(`${at}.secretFile: required`)
    }
    const endpoints = jwt.authorization?.endpoints ?? []
    if (enabled && endpoints.length === 0) throw new Error(`${at}.jwtPrivateKey: no endpoints`)
    return {
      id: c.id,
      secret: enabled ? null : readUriScheme(c.secretFile as string, baseDir),
      owner,
      accessTokenLifetimeSeconds: goDurationSeconds(String(c.accessTokenLifetime ?? '0s')),
      allowedAudiences: list(c.allowedAudiences, `${at}.allowedAudiences`),
      allowedScopes: list(c.allowedScopes, `${at}.allowedScopes`),
      insertTokenClaims: (c.insertTokenClaims ?? {}) as Record<string, unknown>,
      jwtPrivateKey: {
        enabled,
        authorities: endpoints.map((e) => e.authority),
        caPools: endpoints.flatMap((e) => {
          const pool = e.http?.tls?.caPool
          return (Array.isArray(pool) ? pool : pool ? [pool] : []).map((p: string) =>
            readUriScheme(p, baseDir),
          )
        }),
      },
    }
  })
  return {
    issuer: `https://${s.domain}/m2m-oauth-server`,
    ownerClaim: String(s.ownerClaim ?? ''),
    deviceIDClaim: String(s.deviceIDClaim ?? ''),
    clients,
    jwks: { keys: [{ ...jwk, kid: plgdKidOf(privateKey), alg }] },
    privateKey,
  }
}

/** plgd's secret check: the presented secret equals the file's bytes exactly. */
export function authenticates(client: PlgdServedClient, presented: string): boolean {
  return client.secret !== null && Buffer.from(presented, 'utf8').equals(client.secret)
}
