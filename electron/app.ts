import type { SigningAlgorithm } from '../shared/enums.js'
import type { ClockSkew } from '../shared/contract/index.js'
import { AppError } from '../shared/errors.js'
import { AppEvents } from './api/app-events.js'
import { ClientRegistry, STANDARD_CLAIMS } from './clients/client-registry.js'
import { BearerAuthenticator } from './issuer/bearer-auth.js'
import { createIssuerHandler } from './issuer/issuer-handler.js'
import {
  authorizationServerMetadata,
  discoveryDocument,
  issuerUrls,
  type IssuerUrls,
} from './issuer/issuer-urls.js'
import { SignAndRecordThread } from './issuer/sign-and-record-thread.js'
import { KeyRing } from './keys/key-ring.js'
import { AuditLog } from './ledger/audit-log.js'
import { ReplayCache } from './ledger/replay-cache.js'
import { TokenLedger } from './ledger/token-ledger.js'
import { AuthThrottle, type ThrottleOptions } from './oauth/auth-throttle.js'
import { ClientAssertionVerifier } from './oauth/client-assertion.js'
import { RemoteAuthorityVerifier } from './oauth/remote-authority.js'
import { TokenService, type IssueToken } from './oauth/token-service.js'
import type { Logger } from './platform/logger.js'
import { openRecordsDb, type RecordsDb } from './platform/records-db.js'
import { JobRunner } from './jobs/job-runner.js'
import { JobStore } from './jobs/job-store.js'
import { hubBearerMinter } from './plgd/hub-bearer.js'
import { HubProfiles } from './plgd/hub-profiles.js'
import { createPlgdClient } from './plgd/plgd-http-client.js'
import { wireExports } from './app-exports.js'
import { openAppSecrets, type SecretsOptions } from './app-secrets.js'
import {
  DEFAULT_JOB_CONCURRENCY,
  SETTINGS_DEFAULTS,
  type IssuerSettings,
  type SettingsStore,
} from './app-settings.js'
import type { SealedBox } from './secrets/sealed-box.js'
import type { VaultConfig } from './secrets/vault.js'

/** The vault and settings options are declared with their reader (app-secrets.ts). */
export interface AppOptions extends SecretsOptions {
  nowSeconds?: () => number
  defaultAlg?: SigningAlgorithm
  throttle?: ThrottleOptions
  /** Sign on a second thread (a long-running issuer); one-shot commands sign inline. */
  signingThread?: boolean
}

export type { IssuerUrls } from './issuer/issuer-urls.js'

export interface App {
  readonly dataDir: string
  readonly settings: SettingsStore
  readonly vault: VaultConfig
  /**
   * A copy of the vault's wrapping key, for a backup only (backup/): restoring it keeps every
   * sealed secret, secret hash, integrity tag and audit anchor valid without re-sealing.
   */
  wrappingKey(): Buffer
  readonly sealer: SealedBox
  readonly clients: ClientRegistry
  readonly keys: KeyRing
  readonly ledger: TokenLedger
  readonly audit: AuditLog
  readonly tokens: TokenService
  readonly events: AppEvents
  readonly authorities: RemoteAuthorityVerifier
  readonly log: Logger
  readonly nowSeconds: () => number
  /** The last clock skew measured, whichever transport asked: status warns about it. */
  readonly clockSkew: ClockSkewHolder
  /** Bulk jobs (records database): start, cancel, resume; handlers register per kind. */
  readonly jobs: JobRunner
  /** The hub profiles (settings.json) and the HubDirectory every plgd use case opens. */
  readonly hubs: HubProfiles
  /**
   * The one audit entry and event for a revocation, whatever its path (console, CLI, plgd's
   * tokens API, RFC 7009). `ids` empty means "all of the owner's tokens" (tokens API).
   */
  recordRevocation(actor: string, ids: string[], details: Record<string, unknown>): void
  issuerSettings(): IssuerSettings
  /**
   * Sets the issuer's public origin (https://host:port) once the listener knows its port, and
   * whether this is a station (an always-on issuer that advertises the tokens endpoint).
   */
  setOrigin(origin: string, station: boolean): void
  urls(): IssuerUrls
  station(): boolean
  /** Whether an issuer listener of this app is serving. */
  running(): boolean
  discoveryJson(): string
  /** The HTTP(S) request handler of every issuer route. */
  issuerHandler(): ReturnType<typeof createIssuerHandler>
  /** Purges expired ledger records and replay-cache entries, retired keys, old stopped jobs. */
  purgeExpired(): { tokens: number; assertions: number; jobs: number }
  /** Stops the signing thread (finishing what it holds), then flushes and closes the ledger. */
  close(): Promise<void>
}

export interface ClockSkewHolder {
  last(): ClockSkew | undefined
  record(skew: ClockSkew): void
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
  const { log } = options
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000))
  const secrets = await openAppSecrets(options)
  const { vault, integrity, settings, sealer, pepper } = secrets
  // Settings written by an older version lack newer keys: defaults fill them in.
  const issuerSettings = (): IssuerSettings => ({
    ...SETTINGS_DEFAULTS.issuer,
    ...settings.get('issuer'),
  })
  const events = new AppEvents()

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
  let db: RecordsDb
  try {
    db = openRecordsDb(options.dataDir)
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new Error(
      `cannot open the records database in ${options.dataDir}: ${(err as Error).message}`,
      { cause: err },
    )
  }
  const ledger = new TokenLedger(db)
  // PLGD_M2M_SIGNING_THREAD=0 keeps everything on one thread (about 20 MiB less memory).
  const signingThread =
    options.signingThread && process.env.PLGD_M2M_SIGNING_THREAD !== '0'
      ? SignAndRecordThread.start(log, options.dataDir, (record) => ledger.record(record))
      : undefined
  const keys = await KeyRing.open(
    settings.get('keys'),
    {
      sealer,
      nowSeconds,
      maxLifetimeSeconds: () => issuerSettings().maxLifetimeSeconds,
      save: (all) => settings.set('keys', all),
      latestExpiry: () => ledger.latestExpiration(),
      ...(signingThread ? { signerFactory: signingThread.factory } : {}),
    },
    options.defaultAlg ?? 'ES256',
  )
  const audit = new AuditLog(db, nowSeconds, {
    load: () => integrity.auditAnchor(),
    save: (anchor) => integrity.anchorAuditSoon(anchor),
  })
  secrets.settleAudit(audit)
  const replay = new ReplayCache(db, nowSeconds)
  const authorities = new RemoteAuthorityVerifier(nowSeconds)

  let station = false
  let running = false
  events.subscribe((e) => {
    if (e.type === 'issuer.state') running = e.data.running
  })
  let urls: IssuerUrls
  let discovery: string
  let metadata: string
  const publish = (origin: string): void => {
    urls = issuerUrls(origin)
    discovery = JSON.stringify(discoveryDocument(origin, station))
    const signingAlgs = [...new Set(keys.list().map((k) => k.alg))]
    metadata = JSON.stringify(authorizationServerMetadata(origin, signingAlgs))
  }
  publish(configuredOrigin(issuerSettings()))
  const exportWiring = wireExports({
    urls: () => urls,
    keys,
    settings,
    events,
    vaultKey: vault.key,
    log,
  })

  const issue: IssueToken = signingThread
    ? (claims, typ, record) => signingThread.issue(keys.active().kid, typ, claims, record)
    : async (claims, typ, record) => {
        // Signing and the batch commit wait on different things: overlap them.
        const [token] = await Promise.all([
          keys.active().signJwt(claims, typ),
          ledger.record(record),
        ])
        return token
      }
  const tokens = new TokenService({
    clients,
    issue,
    throttle: new AuthThrottle(options.throttle),
    assertions: new ClientAssertionVerifier({
      nowSeconds,
      audiences: () => [urls.tokenEndpoint, urls.issuer],
      claimJti: (clientId, jti, exp) => replay.claim(clientId, jti, exp),
    }),
    authorities,
    nowSeconds,
    identity: () => {
      const s = issuerSettings()
      return {
        issuer: urls.issuer,
        tokenEndpoint: urls.tokenEndpoint,
        ownerClaim: s.ownerClaim,
        deviceIdClaim: s.deviceIdClaim,
        maxLifetimeSeconds: s.maxLifetimeSeconds,
        iatBackdateSeconds: s.iatBackdateSeconds,
      }
    },
    onIssued: (t) => events.emit({ type: 'token.issued', data: t }),
    log,
  })
  const bearer = new BearerAuthenticator({
    keys,
    ledger,
    authorities,
    trustedAuthorities: () => issuerSettings().trustedAuthorities,
    issuer: () => urls.issuer,
    nowSeconds,
  })
  const recordRevocation = (
    actor: string,
    ids: string[],
    details: Record<string, unknown>,
  ): void => {
    audit.append({ actor, action: 'token.revoked', subject: ids.join(' ') || '*', details })
    events.emit({ type: 'token.revoked', data: { ids } })
  }
  let lastSkew: ClockSkew | undefined
  // Marks what ran at the last stop interrupted, before anything can start a job.
  const jobs = new JobRunner({
    store: new JobStore(db, nowSeconds),
    log,
    emit: ({ id, state, counts }) =>
      events.emit({ type: 'job.changed', data: { id, state, counts } }),
    defaultConcurrency: () => settings.get('jobs')?.concurrency ?? DEFAULT_JOB_CONCURRENCY,
  })
  const hubs = new HubProfiles({
    load: () => settings.get('hubs'),
    save: (all) => settings.set('hubs', all),
    sealer,
    client: (id) => {
      const c = clients.find(id)
      return c && { owner: c.owner, disabled: c.disabled, authMethod: c.auth.method }
    },
    mintBearer: hubBearerMinter({
      client: (id) => clients.find(id),
      issueAsAdmin: (input) => tokens.issueAsAdmin(input),
      audited: (jti, details) =>
        audit.append({ actor: 'hubs', action: 'token.issued_by_admin', subject: jti, details }),
    }),
    makeClient: (o) => createPlgdClient({ ...o, log }),
    nowSeconds,
  })

  return {
    dataDir: options.dataDir,
    settings,
    vault: vault.config,
    wrappingKey: exportWiring.wrappingKey,
    sealer,
    clients,
    keys,
    ledger,
    audit,
    tokens,
    events,
    authorities,
    log,
    nowSeconds,
    hubs,
    jobs,
    clockSkew: {
      last: () => lastSkew,
      record: (skew) => {
        lastSkew = skew
      },
    },
    recordRevocation,
    issuerSettings,
    setOrigin(origin, isStation) {
      station = isStation
      publish(origin)
    },
    urls: () => urls,
    station: () => station,
    running: () => running,
    discoveryJson: () => discovery,
    issuerHandler: () =>
      createIssuerHandler({
        tokens,
        keys,
        discoveryJson: () => discovery,
        metadataJson: () => metadata,
        tokensApi: {
          bearer,
          ledger,
          ownerClaim: () => issuerSettings().ownerClaim,
          nowSeconds,
          onBlacklisted: (owner, ids, counts) =>
            recordRevocation(`owner:${owner}`, ids, { via: 'tokens-api', ...counts }),
        },
        extensions: {
          ledger,
          ownerClaim: () => issuerSettings().ownerClaim,
          nowSeconds,
          onRevoked: (clientId, ids) =>
            recordRevocation(`client:${clientId}`, ids, { via: 'rfc7009' }),
        },
        log,
      }),
    purgeExpired() {
      const now = nowSeconds()
      const purged = {
        tokens: ledger.purgeExpired(now - issuerSettings().ledgerRetentionSeconds),
        assertions: replay.purgeExpired(now),
        jobs: jobs.purge(now),
      }
      if (keys.purge()) exportWiring.refreshBundle()
      return purged
    },
    close() {
      const closeLedger = (): void => {
        // The audit anchor of the last appends, then the records.
        integrity.flush()
        ledger.flush()
        db.close()
      }
      // Jobs first: they stop (left interrupted, for a resume) and write their last rows.
      return jobs
        .stop()
        .then(() => (signingThread ? signingThread.close().then(closeLedger) : closeLedger()))
    },
  }
}
