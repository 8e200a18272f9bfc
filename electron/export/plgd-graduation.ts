import { stringify } from 'yaml'
import type {
  ExportedFile,
  GraduatedClient,
  PlgdGraduation,
  exportPlgdInput,
} from '../../shared/contract/index.js'
import { BASE_PATH } from '../../shared/constants.js'
import { AppError } from '../../shared/errors.js'
import type { App } from '../app.js'
import type { ClientRecord } from '../clients/client-record.js'
import { importPrivateKeyPem, plgdKid } from '../keys/key-material.js'
import { dataUri } from '../plgd/plgd-json.js'
import {
  CLIENT_CREDENTIALS,
  goDuration,
  type PlgdClient,
  type PlgdEndpoint,
  type PlgdOauthSigner,
} from './plgd-config.js'
import type { z } from 'zod'

/**
 * Graduation to plgd's m2m-oauth-server (interop §1.11, §1.12, §7.1): its config.yaml, the
 * client secret files, the signing key (explicitly), Helm values, and the console's sidecar of
 * what plgd's config cannot hold, so that importing the result gives back the same console.
 */

export type GraduationInput = z.output<typeof exportPlgdInput>

export const CONFIG_FILE = 'config.yaml'
export const VALUES_FILE = 'values.yaml'
export const SIDECAR_FILE = 'console-sidecar.json'
export const SIGNING_KEY_FILE = 'secrets/signing-key.pem'
const clientSecretPath = (id: string): string => `secrets/clients/${id}`

/** The console's policy fields plgd's config has no place for, per client; and the key's kid. */
export interface ConsoleSidecar {
  format: 'plgd-m2m-console-sidecar'
  version: 1
  kid: string
  /** Where config.yaml expects secrets/ mounted: import reads `<mountPath>/x` from secrets/x beside it. */
  mountPath: string
  clients: Record<
    string,
    { owner: string; allowedOwners: string[]; allowDeviceId: boolean; tokenType: string }
  >
}

export interface GraduationDeps {
  app: App
  actor: string
  audit(action: string, subject: string, details?: Record<string, unknown>): void
}

const NOT_IN_PLGD = ['allowedOwners', 'allowDeviceId', 'tokenType'] as const

/** Why a client cannot go to plgd as it is; undefined when it can. */
function skipReason(client: ClientRecord): string | undefined {
  if (client.disabled) return 'disabled: enable it first (clients enable ID) to graduate it'
  if (client.auth.method === 'private_key_jwt') {
    return (
      "RFC 7523 private_key_jwt has no plgd equivalent (plgd's client assertion is a user's " +
      'token, not a client-signed JWT): keep this client on the console, or re-create it with ' +
      'a secret'
    )
  }
  return undefined
}

function endpointOf(authority: string, caPem: string | undefined): PlgdEndpoint {
  return {
    authority,
    http: {
      tls: caPem ? { caPool: dataUri(caPem), useSystemCAPool: false } : { useSystemCAPool: true },
    },
  }
}

function plgdClient(client: ClientRecord, mountPath: string): PlgdClient {
  const common = {
    id: client.id,
    accessTokenLifetime: goDuration(client.maxLifetimeSeconds),
    allowedGrantTypes: [CLIENT_CREDENTIALS],
    allowedAudiences: client.audiences,
    allowedScopes: client.scopes,
    insertTokenClaims: client.extraClaims as Record<string, unknown>,
  }
  if (client.auth.method === 'user_assertion') {
    // No owner: plgd would mint for a jwtPrivateKey client's owner without any assertion (§1.10).
    return {
      ...common,
      jwtPrivateKey: {
        enabled: true,
        authorization: {
          audience: '',
          endpoints: client.auth.authorities.map((a) => endpointOf(a.authority, a.caPem)),
        },
      },
    }
  }
  return { ...common, owner: client.owner, secretFile: `${mountPath}/clients/${client.id}` }
}

/** The `domain` plgd gets: host[:port] without a scheme; the console's own by default. */
function domainOf(input: GraduationInput, issuer: string): string {
  const domain = input.domain ?? new URL(issuer).host
  if (/^[a-z]+:\/\//i.test(domain) || domain.includes('/')) {
    throw new AppError(
      'invalid_input',
      `--domain ${domain} must be host[:port] without a scheme or path (plgd adds https:// and ${BASE_PATH})`,
    )
  }
  return domain
}

/** The server config: oauthSigner, plus the blocks the server needs to start (placeholders noted). */
function serverConfig(signer: PlgdOauthSigner, authority: string): Record<string, unknown> {
  return {
    log: { level: 'info' },
    apis: {
      grpc: {
        address: '0.0.0.0:9100',
        tls: {
          caPool: '/secrets/public/rootca.crt',
          keyFile: '/certs/tls.key',
          certFile: '/certs/tls.crt',
          clientCertificateRequired: false,
        },
        authorization: {
          ownerClaim: signer.ownerClaim,
          audience: '',
          endpoints: [{ authority, http: { tls: { useSystemCAPool: true } } }],
        },
      },
      http: { address: '0.0.0.0:9101' },
    },
    clients: {
      storage: {
        use: 'mongoDB',
        cleanUpDeletedTokens: '0 * * * *',
        mongoDB: { uri: 'mongodb://mongodb:27017', database: 'm2mOAuthServer' },
      },
    },
    oauthSigner: signer,
  }
}

/** Helm values of plgd's chart (§7.1). The chart does not render `owner`: noted, not hidden. */
function helmValues(
  signer: PlgdOauthSigner,
  deviceIdClaim: string | undefined,
  privateKeyPem: string | undefined,
): Record<string, unknown> {
  return {
    ...(privateKeyPem ? { global: { m2mOAuthServer: { privateKey: privateKeyPem } } } : {}),
    m2moauthserver: {
      enabled: true,
      domain: signer.domain,
      oauthSigner: {
        ownerClaim: signer.ownerClaim,
        ...(deviceIdClaim ? { deviceIdClaim } : {}),
        clients: signer.clients.map(({ owner: _owner, ...rest }) => rest),
      },
    },
  }
}

/**
 * Checks everything first (who asks for the key, the domain, the key itself), then rotates each
 * secret client's secret (the old one keeps working for the grace period) and returns the files.
 */
export function graduateToPlgd(deps: GraduationDeps, input: GraduationInput): PlgdGraduation {
  const { app } = deps
  if (input.includePrivateKey && deps.actor !== 'cli') {
    throw new AppError(
      'policy_violation',
      'the signing key leaves this machine only on the command line: ' +
        'plgd-m2m-console export plgd --out DIR --include-private-key',
    )
  }
  const issuer = app.urls().issuer
  const domain = domainOf(input, issuer)
  const authority = `https://${domain}${BASE_PATH}`
  const active = app.keys.active()
  // plgd names the key itself (UUIDv5 of its SPKI): the same derivation, never sent anywhere.
  const activePem = app.keys.privateKeyPem(active.kid)
  const derivedKid = plgdKid(importPrivateKeyPem(activePem))
  const privateKeyPem = input.includePrivateKey ? activePem : undefined
  const settings = app.issuerSettings()
  const records = app.clients.list().map((c) => app.clients.find(c.id)!)

  // Every check passed: from here on, the secrets rotate.
  const clients: GraduatedClient[] = []
  const secretFiles: ExportedFile[] = []
  const graduated: ClientRecord[] = []
  for (const record of records) {
    const notInPlgd = NOT_IN_PLGD.filter(
      (f) => JSON.stringify(record[f]) !== JSON.stringify(DEFAULTS[f]),
    ) as string[]
    const skipped = skipReason(record)
    if (skipped) {
      clients.push({ id: record.id, outcome: 'skipped', reason: skipped, notInPlgd })
      continue
    }
    graduated.push(record)
    if (record.auth.method === 'user_assertion') {
      if (record.owner !== '') notInPlgd.push('owner')
      clients.push({
        id: record.id,
        outcome: 'kept',
        reason: "a plgd jwtPrivateKey client: the user's token names the owner",
        notInPlgd,
      })
      continue
    }
    const { clientSecret } = app.clients.rotateSecret(record.id, input.graceSeconds)
    deps.audit('client.secret_rotated', record.id, {
      graceSeconds: input.graceSeconds,
      via: 'export.plgd',
    })
    app.events.emit({ type: 'client.changed', data: { id: record.id } })
    secretFiles.push({
      path: clientSecretPath(record.id),
      mediaType: 'text/plain',
      content: clientSecret!,
      containsSecret: true,
    })
    clients.push({
      id: record.id,
      outcome: 'rotated',
      reason:
        'secrets are stored hashed: a new secret was made for plgd; the previous one keeps ' +
        `working here for ${input.graceSeconds} s`,
      notInPlgd,
    })
  }

  const signer: PlgdOauthSigner = {
    privateKeyFile: `${input.mountPath}/signing-key.pem`,
    domain,
    ownerClaim: settings.ownerClaim,
    ...(settings.deviceIdClaim ? { deviceIDClaim: settings.deviceIdClaim } : {}),
    clients: graduated.map((r) => plgdClient(r, input.mountPath)),
  }
  const sidecar: ConsoleSidecar = {
    format: 'plgd-m2m-console-sidecar',
    version: 1,
    kid: active.kid,
    mountPath: input.mountPath,
    clients: Object.fromEntries(
      graduated.map((r) => [
        r.id,
        {
          owner: r.owner,
          allowedOwners: r.allowedOwners,
          allowDeviceId: r.allowDeviceId,
          tokenType: r.tokenType,
        },
      ]),
    ),
  }
  const kidKept = derivedKid === active.kid
  const files: ExportedFile[] = [
    yamlFile(CONFIG_FILE, serverConfig(signer, authority), false),
    yamlFile(
      VALUES_FILE,
      helmValues(signer, settings.deviceIdClaim, privateKeyPem),
      !!privateKeyPem,
    ),
    {
      path: SIDECAR_FILE,
      mediaType: 'application/json',
      content: `${JSON.stringify(sidecar, null, 2)}\n`,
      containsSecret: false,
    },
    ...secretFiles,
    ...(privateKeyPem
      ? [
          {
            path: SIGNING_KEY_FILE,
            mediaType: 'application/x-pem-file',
            content: privateKeyPem,
            containsSecret: true,
          },
        ]
      : []),
  ]
  if (privateKeyPem)
    deps.audit('export.private_key', active.kid, { alg: active.alg, via: 'export.plgd' })
  deps.audit('export.plgd', domain, {
    kid: active.kid,
    rotated: clients.filter((c) => c.outcome === 'rotated').map((c) => c.id),
    kept: clients.filter((c) => c.outcome === 'kept').map((c) => c.id),
    skipped: clients.filter((c) => c.outcome === 'skipped').map((c) => c.id),
    keyIncluded: !!privateKeyPem,
  })
  return {
    files,
    clients,
    key: { kid: active.kid, plgdKid: derivedKid, kidKept, privateKeyIncluded: !!privateKeyPem },
    notes: graduationNotes({
      kidKept,
      derivedKid,
      kid: active.kid,
      issuer,
      authority,
      lastExpiry: app.ledger.latestExpiration(),
      mountPath: input.mountPath,
      privateKeyIncluded: !!privateKeyPem,
    }),
  }
}

const DEFAULTS = { allowedOwners: [], allowDeviceId: false, tokenType: 'JWT' }

function yamlFile(path: string, value: unknown, containsSecret: boolean): ExportedFile {
  return { path, mediaType: 'application/yaml', content: stringify(value), containsSecret }
}

function graduationNotes(o: {
  kidKept: boolean
  derivedKid: string
  kid: string
  issuer: string
  authority: string
  lastExpiry: number
  mountPath: string
  privateKeyIncluded: boolean
}): string[] {
  const notes = [
    `Mount secrets/ at ${o.mountPath} in the m2m-oauth-server pod: config.yaml names ` +
      `${o.mountPath}/signing-key.pem and ${o.mountPath}/clients/<id>.`,
    'config.yaml: fill in apis.grpc.tls (the server certificate), clients.storage.mongoDB.uri, ' +
      'and trust the CA of every jwtPrivateKey authority.',
    "values.yaml: plgd's chart does not render a client's owner; secret clients need it, so " +
      'add it by a post-render or deploy config.yaml instead.',
    `Hubs: add ${o.authority} to authorization.endpoints (global.authorization.endpoints).`,
  ]
  if (!o.privateKeyIncluded) {
    notes.push(
      'The signing key was not included (--include-private-key): plgd will sign with another ' +
        'key, so tokens issued here will not verify against it.',
    )
  }
  const keepConsole =
    o.lastExpiry > 0
      ? `Keep ${o.issuer} in the hubs' authorization.endpoints until the last token it issued ` +
        `expires (${new Date(o.lastExpiry * 1000).toISOString()}).`
      : 'No token was issued here yet: nothing needs the old issuer.'
  if (!o.kidKept) {
    notes.push(
      `kid not kept: plgd publishes this key as ${o.derivedKid}, not ${o.kid} (a key made here ` +
        'is named by its RFC 7638 thumbprint), so tokens already issued will not verify there. ' +
        keepConsole,
    )
  } else if (o.authority !== o.issuer) {
    notes.push(
      `Tokens already issued carry iss ${o.issuer}, not the new ${o.authority}. ${keepConsole}`,
    )
  }
  return notes
}
