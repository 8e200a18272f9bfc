// @vitest-environment node
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseEnv } from 'dotenv'
import { parse as parseShell } from 'shell-quote'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { exportClient } from '../../electron/export/client-formats.js'
import type {
  ClientExportContext,
  IssuerExportContext,
} from '../../electron/export/export-context.js'
import { exportIssuer } from '../../electron/export/issuer-formats.js'
import {
  CLIENT_ONLY_FORMATS,
  EXPORT_FORMATS,
  type ExportedDocument,
} from '../../shared/contract/index.js'
import { checkChartValues } from '../helpers/plgd-chart-schema.js'

/**
 * Every format from fixed inputs against its golden file (test/fixtures/exports/), then read
 * back the way its reader reads it: yaml, JSON.parse, dotenv, a shell's word splitting.
 */

const FIXTURES = join(__dirname, '../fixtures/exports')
const CA_PEM = readFileSync(join(FIXTURES, 'console-ca.pem'), 'utf8')
/** Characters each format must escape: URL-escaping, shell quoting, `#` in .env. */
const SECRET = 'Zm9v+bar/baz=%&#!$ x'

const issuer: IssuerExportContext = {
  issuer: 'https://console.example.lan:8443/m2m-oauth-server',
  tokenEndpoint: 'https://console.example.lan:8443/m2m-oauth-server/oauth/token',
  jwksUri: 'https://console.example.lan:8443/m2m-oauth-server/.well-known/jwks.json',
  caPem: CA_PEM,
  ownerClaim: 'https://plgd.dev/owner',
  deviceIdClaim: 'https://plgd.dev/deviceId',
}

const client = (secret?: string): ClientExportContext => ({
  ...issuer,
  client: {
    id: 'dps_Line~1',
    owner: '1',
    auth: { method: 'client_secret' },
    audiences: ['https://api.example.com'],
    scopes: ['r:*'],
    allowDeviceId: true,
    maxLifetimeSeconds: 3600,
  },
  ...(secret === undefined ? {} : { secret }),
})

const EXTENSION: Record<string, string> = {
  'application/json': 'json',
  'application/yaml': 'yaml',
  'text/plain': 'env',
  'application/x-sh': 'sh',
}

const golden = (name: string, doc: ExportedDocument): string =>
  join(FIXTURES, `${name}.${EXTENSION[doc.mediaType] ?? 'txt'}`)

const ISSUER_FORMATS = EXPORT_FORMATS.filter(
  (f) => !(CLIENT_ONLY_FORMATS as readonly string[]).includes(f),
)

describe('golden files', () => {
  it.each(EXPORT_FORMATS)('client %s, redacted and with the secret', async (format) => {
    const redacted = exportClient(client(), format)
    await expect(redacted.content).toMatchFileSnapshot(
      golden(`client-${format}-redacted`, redacted),
    )
    const withSecret = exportClient(client(SECRET), format)
    if (format === 'hub-authorization-yaml') {
      // No client credential in it: both variants are the issuer's document.
      expect(withSecret.content).toBe(redacted.content)
      return
    }
    await expect(withSecret.content).toMatchFileSnapshot(
      golden(`client-${format}-secret`, withSecret),
    )
  })

  it.each(ISSUER_FORMATS)('issuer %s', async (format) => {
    const doc = exportIssuer(issuer, format)
    await expect(doc.content).toMatchFileSnapshot(golden(`issuer-${format}`, doc))
  })
})

describe('redaction', () => {
  it.each(EXPORT_FORMATS)('%s: the secret appears only in the one-time export', (format) => {
    const redacted = exportClient(client(), format)
    const withSecret = exportClient(client(SECRET), format)
    for (const text of [SECRET, encodeURIComponent(SECRET)]) {
      expect(redacted.content).not.toContain(text)
    }
    if (format === 'hub-authorization-yaml') return
    expect(redacted.redacted).toBe(true)
    expect(redacted.containsSecret).toBe(false)
    expect(redacted.placeholders.length).toBeGreaterThan(0)
    expect(withSecret.redacted).toBe(false)
    expect(withSecret.containsSecret).toBe(true)
    expect(withSecret.placeholders.join(' ')).not.toMatch(/clientSecret|client-secret/)
  })

  it('the issuer refuses the client formats, naming `export client`', () => {
    for (const format of CLIENT_ONLY_FORMATS) {
      expect(() => exportIssuer(issuer, format)).toThrow(`export client ID --format ${format}`)
    }
  })

  it('a client without a secret is not redacted and names its method', () => {
    const signer: ClientExportContext = {
      ...client(),
      client: { ...client().client, auth: { method: 'private_key_jwt' } },
    }
    const doc = exportClient(signer, 'json')
    expect(doc.redacted).toBe(false)
    expect(JSON.parse(doc.content)).not.toHaveProperty('clientSecretFile')
    expect(doc.notes.join(' ')).toMatch(/private_key_jwt, not a secret/)
  })
})

interface Provider {
  clientID: string
  clientSecretFile: string
  authority: string
  http: { timeout: string; tls: { caPool: string[]; useSystemCAPool: boolean } }
}

describe('parse-back', () => {
  it('every YAML and JSON document parses', () => {
    for (const format of EXPORT_FORMATS) {
      for (const doc of [exportClient(client(), format), exportClient(client(SECRET), format)]) {
        if (doc.mediaType === 'application/yaml')
          expect(parseYaml(doc.content)).toBeTypeOf('object')
        if (doc.mediaType === 'application/json')
          expect(JSON.parse(doc.content)).toBeTypeOf('object')
      }
    }
  })

  it('dps-yaml carries the secret as data:,<URL-escaped> and the CA as data:;base64', () => {
    const yaml = parseYaml(exportClient(client(SECRET), 'dps-yaml').content) as {
      authorization: { ownerClaim: string; deviceIDClaim: string; provider: Provider }
    }
    const { provider } = yaml.authorization
    expect(yaml.authorization.deviceIDClaim).toBe(issuer.deviceIdClaim)
    expect(provider.clientID).toBe('dps_Line~1')
    expect(provider.clientSecretFile).toBe(`data:,${encodeURIComponent(SECRET)}`)
    expect(decodeURIComponent(provider.clientSecretFile.slice('data:,'.length))).toBe(SECRET)
    expect(provider.http.timeout).toBe('10s')
    const [ca] = provider.http.tls.caPool
    expect(Buffer.from(ca!.replace('data:;base64,', ''), 'base64').toString()).toBe(CA_PEM)
    const redacted = parseYaml(exportClient(client(), 'dps-yaml').content) as typeof yaml
    expect(redacted.authorization.provider.clientSecretFile).toBe(
      '/secrets/dps_Line~1/client-secret',
    )
  })

  it('.env reads back with dotenv, value for value', () => {
    const env = parseEnv(exportClient(client(SECRET), 'env').content)
    expect(env).toMatchObject({
      PLGD_M2M_CLIENT_ID: 'dps_Line~1',
      PLGD_M2M_CLIENT_SECRET: SECRET,
      PLGD_M2M_ISSUER: issuer.issuer,
      PLGD_M2M_TOKEN_ENDPOINT: issuer.tokenEndpoint,
      PLGD_M2M_DEVICE_ID_CLAIM: issuer.deviceIdClaim,
    })
    expect(
      Buffer.from(env.PLGD_M2M_CA_POOL!.slice('data:;base64,'.length), 'base64').toString(),
    ).toBe(CA_PEM)
    const redacted = parseEnv(exportClient(client(), 'env').content)
    expect(redacted).not.toHaveProperty('PLGD_M2M_CLIENT_SECRET')
    expect(redacted.PLGD_M2M_CLIENT_SECRET_FILE).toBe('/secrets/dps_Line~1/client-secret')
  })

  it('.env refuses a value it cannot carry, naming the json format', () => {
    expect(() => exportClient(client("it's"), 'env')).toThrow(/--format json/)
  })

  it('curl splits into a POST to the token endpoint with the client credentials form', () => {
    const words = parseShell(exportClient(client(SECRET), 'curl').content.trim())
    expect(words.every((w) => typeof w === 'string')).toBe(true)
    const args = words as string[]
    expect(args[0]).toBe('curl')
    expect(args).toContain(issuer.tokenEndpoint)
    const form = (flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []))
    expect(form('-d')).toContain('grant_type=client_credentials') // -d makes curl POST
    expect(form('--data-urlencode')).toEqual([
      'client_id=dps_Line~1',
      `client_secret=${SECRET}`,
      'audience=https://api.example.com',
    ])
    expect(form('--cacert')).toEqual(['plgd-m2m-console-ca.pem'])
    const redacted = parseShell(exportClient(client(), 'curl').content.trim()) as string[]
    expect(redacted).toContain('client_secret@/secrets/dps_Line~1/client-secret')
  })

  it('the Kubernetes Secret: v1, Opaque, a DNS-1123 name, base64 data decoding to the values', () => {
    const manifest = parseYaml(exportClient(client(SECRET), 'k8s-secret').content) as {
      apiVersion: string
      kind: string
      type: string
      metadata: { name: string }
      data: Record<string, string>
    }
    expect(manifest).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque' })
    expect(manifest.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/)
    expect(manifest.metadata.name).toBe('plgd-m2m-dps-line-1')
    const decoded: Record<string, string> = {}
    for (const [key, value] of Object.entries(manifest.data)) {
      expect(value).toMatch(/^[A-Za-z0-9+/]*={0,2}$/)
      decoded[key] = Buffer.from(value, 'base64').toString('utf8')
      expect(Buffer.from(decoded[key], 'utf8').toString('base64')).toBe(value)
    }
    expect(decoded).toEqual({
      'client-id': 'dps_Line~1',
      'client-secret': SECRET,
      'ca.crt': CA_PEM,
    })
    const redacted = parseYaml(exportClient(client(), 'k8s-secret').content) as typeof manifest
    expect(Object.keys(redacted.data).sort()).toEqual(['ca.crt', 'client-id'])
    const ca = parseYaml(exportIssuer(issuer, 'k8s-secret').content) as typeof manifest
    expect(Buffer.from(ca.data['ca.crt']!, 'base64').toString()).toBe(CA_PEM)
  })
})

describe('Helm values fit the plgd chart', () => {
  const docs: [string, () => ExportedDocument][] = [
    ['issuer', () => exportIssuer(issuer, 'helm-values')],
    ['client, redacted', () => exportClient(client(), 'helm-values')],
    ['client, with the secret', () => exportClient(client(SECRET), 'helm-values')],
    ['issuer without a CA', () => exportIssuer({ ...issuer, caPem: null }, 'helm-values')],
  ]
  it.each(docs)('%s', (_name, make) => {
    expect(checkChartValues(parseYaml(make().content))).toEqual([])
  })

  it('the client values trust the issuer and name the client in DPS and coap-gateway', () => {
    const values = parseYaml(exportClient(client(SECRET), 'helm-values').content) as {
      global: {
        authorization: { endpoints: { authority: string }[] }
        extraCAPool: { authorization: string }
      }
      deviceProvisioningService: {
        enrollmentGroups: { hub: { authorization: { provider: Record<string, unknown> } } }[]
      }
      coapgateway: { apis: { coap: { authorization: { providers: Record<string, unknown>[] } } } }
    }
    expect(values.global.authorization.endpoints[0]?.authority).toBe(issuer.issuer)
    expect(values.global.extraCAPool.authorization).toBe(CA_PEM)
    const provider =
      values.deviceProvisioningService.enrollmentGroups[0]?.hub.authorization.provider
    // The chart takes the secret as text and makes a Secret of it.
    expect(provider).toMatchObject({ clientId: 'dps_Line~1', clientSecret: SECRET })
    expect(values.coapgateway.apis.coap.authorization.providers[0]).toMatchObject({
      clientID: 'dps_Line~1',
      grantType: 'clientCredentials',
      clientSecret: SECRET,
    })
  })
})

type HubValidator = (body: unknown, ctx: { id: string; owner: string; verb: string }) => unknown

describe('dps-json passes DPS validation (the hub simulator validator, interop §3.2)', () => {
  const hubWith = (authorization: unknown) => ({
    hubId: 'd03a1bb4-0a77-428c-b78c-1c46efe6a38e',
    gateways: ['coaps+tcp://hub.example.com:5684'],
    certificateAuthority: {
      grpc: {
        address: 'api.hub.example.com:443',
        tls: { caPool: [`data:;base64,${Buffer.from(CA_PEM).toString('base64')}`] },
      },
    },
    authorization,
  })
  const validator = async (): Promise<HubValidator> => {
    const path = '../fixtures/hub-simulator/dps-validation.mjs'
    const module = (await import(path)) as { validateHub: HubValidator }
    return module.validateHub
  }
  const ctx = { id: 'r1', owner: '1', verb: 'create' }

  it('with the secret: accepted, and the secret reads back', async () => {
    const validateHub = await validator()
    const { authorization } = JSON.parse(exportClient(client(SECRET), 'dps-json').content) as {
      authorization: { provider: { clientSecret: string } }
    }
    expect(() => validateHub(hubWith(authorization), ctx)).not.toThrow()
    const uri = authorization.provider.clientSecret
    expect(decodeURIComponent(uri.slice('data:,'.length))).toBe(SECRET)
  })

  it('redacted: DPS refuses it loudly (the file does not exist), never with a made-up secret', async () => {
    const validateHub = await validator()
    const { authorization } = JSON.parse(exportClient(client(), 'dps-json').content) as {
      authorization: unknown
    }
    expect(() => validateHub(hubWith(authorization), ctx)).toThrow(
      /clientSecret\('\/secrets\/dps_Line~1\/client-secret'\) - open .*no such file/,
    )
  })

  it('each DPS rule holds: provider fields non-empty, ns durations, caPool or useSystemCaPool', () => {
    const { authorization } = JSON.parse(exportClient(client(SECRET), 'dps-json').content) as {
      authorization: {
        ownerClaim: string
        provider: Record<string, unknown> & {
          http: { timeout: string; idleConnTimeout: string; tls: Record<string, unknown> }
        }
      }
    }
    const { provider } = authorization
    expect(authorization.ownerClaim).not.toBe('')
    for (const field of ['name', 'authority', 'clientId']) expect(provider[field]).not.toBe('')
    expect(provider.http.timeout).toBe('10000000000')
    expect(provider.http.idleConnTimeout).toBe('30000000000')
    expect(provider.http.tls).toMatchObject({ useSystemCaPool: false })
    expect((provider.http.tls.caPool as string[]).length).toBe(1)
  })
})
