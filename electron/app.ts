import { randomBytes } from 'node:crypto'
import type { SigningAlgorithm } from '../shared/constants.js'
import { BASE_PATH, JWKS_PATH, TOKEN_PATH } from '../shared/constants.js'
import { ClientRegistry, STANDARD_CLAIMS } from './clients/client-registry.js'
import { KeyRing } from './keys/key-ring.js'
import { TokenLedger } from './ledger/token-ledger.js'
import { AuthThrottle, type ThrottleOptions } from './oauth/auth-throttle.js'
import { TokenService } from './oauth/token-service.js'
import type { Keychain } from './platform/keychain.js'
import type { Logger } from './platform/logger.js'
import { openRecordsDb, type RecordsDb } from './platform/records-db.js'
import type { IssuerSettings, SettingsStore } from './platform/settings.js'
import { SealedBox } from './secrets/sealed-box.js'
import { openVault, type VaultChoice } from './secrets/vault.js'

export interface AppOptions {
  dataDir: string
  settings: SettingsStore
  keychain: Keychain
  log: Logger
  vaultChoice?: VaultChoice | undefined
  passphrase?: (() => Promise<string>) | undefined
  nowSeconds?: () => number
  defaultAlg?: SigningAlgorithm
  throttle?: ThrottleOptions
}

export interface IssuerUrls {
  issuer: string
  tokenEndpoint: string
  jwksUri: string
}

export interface App {
  readonly dataDir: string
  readonly settings: SettingsStore
  readonly sealer: SealedBox
  readonly clients: ClientRegistry
  readonly keys: KeyRing
  readonly ledger: TokenLedger
  readonly tokens: TokenService
  readonly log: Logger
  /** Sets the issuer's public origin (https://host:port) once the listener knows its port. */
  setOrigin(origin: string): void
  urls(): IssuerUrls
  discoveryJson(): string
  close(): void
}

/** The origin hubs see when nothing is listening yet (CLI minting, first start). */
export function configuredOrigin(
  issuer: IssuerSettings,
  scheme: 'https' | 'http' = 'https',
): string {
  const host = issuer.publicHost ?? issuer.listenHost
  const hostPart = host.includes(':') ? `[${host}]` : host
  return `${scheme}://${hostPart}:${issuer.port}`
}

/** The one composition root: every service is built here, from a platform. */
export async function openApp(options: AppOptions): Promise<App> {
  const { settings, log } = options
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000))
  const vault = await openVault({
    config: settings.get('vault'),
    keychain: options.keychain,
    dataDir: options.dataDir,
    choice: options.vaultChoice,
    passphrase: options.passphrase,
  })
  if (vault.created) {
    settings.set('vault', vault.config)
    log.info('created the secret vault', { mode: vault.config.mode })
  }
  const sealer = new SealedBox(vault.key)
  const pepper = loadPepper(settings, sealer)
  const issuerSettings = (): IssuerSettings => settings.get('issuer')

  const clients = new ClientRegistry({
    pepper,
    nowSeconds,
    limits: () => ({
      maxLifetimeSeconds: issuerSettings().maxLifetimeSeconds,
      reservedClaims: [
        ...STANDARD_CLAIMS,
        issuerSettings().ownerClaim,
        issuerSettings().deviceIdClaim,
      ],
    }),
    load: () => settings.get('clients'),
    save: (all) => settings.set('clients', all),
  })
  const keys = await KeyRing.open(
    settings.get('keys'),
    {
      sealer,
      nowSeconds,
      maxLifetimeSeconds: () => issuerSettings().maxLifetimeSeconds,
      save: (all) => settings.set('keys', all),
    },
    options.defaultAlg ?? 'ES256',
  )
  let db: RecordsDb | undefined
  try {
    db = openRecordsDb(options.dataDir)
  } catch (err) {
    throw new Error(
      `cannot open the records database in ${options.dataDir}: ${(err as Error).message}`,
      { cause: err },
    )
  }
  const ledger = new TokenLedger(db)

  let origin = configuredOrigin(issuerSettings())
  let urls = urlsFor(origin)
  let discovery = discoveryFor(urls)
  const tokens = new TokenService({
    clients,
    keys,
    ledger,
    throttle: new AuthThrottle(options.throttle),
    nowSeconds,
    identity: () => ({
      issuer: urls.issuer,
      ownerClaim: issuerSettings().ownerClaim,
      maxLifetimeSeconds: issuerSettings().maxLifetimeSeconds,
    }),
  })

  return {
    dataDir: options.dataDir,
    settings,
    sealer,
    clients,
    keys,
    ledger,
    tokens,
    log,
    setOrigin(next) {
      origin = next
      urls = urlsFor(origin)
      discovery = discoveryFor(urls)
    },
    urls: () => urls,
    discoveryJson: () => discovery,
    close() {
      ledger.flush()
      db?.close()
    },
  }
}

function urlsFor(origin: string): IssuerUrls {
  return {
    issuer: `${origin}${BASE_PATH}`,
    tokenEndpoint: `${origin}${TOKEN_PATH}`,
    jwksUri: `${origin}${JWKS_PATH}`,
  }
}

/** plgd's discovery document (interop §1.5); hubs require all three fields. */
function discoveryFor(urls: IssuerUrls): string {
  return JSON.stringify({
    issuer: urls.issuer,
    token_endpoint: urls.tokenEndpoint,
    jwks_uri: urls.jwksUri,
  })
}

function loadPepper(settings: SettingsStore, sealer: SealedBox): Buffer {
  const sealed = settings.get('pepperSealed')
  if (sealed) return sealer.open(sealed, 'client-secret-pepper')
  const pepper = randomBytes(32)
  settings.set('pepperSealed', sealer.seal(pepper, 'client-secret-pepper'))
  return pepper
}
