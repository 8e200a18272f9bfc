import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import type { SigningAlgorithm } from '../../shared/enums.js'
import {
  contract,
  type ClockSkew,
  type Envelope,
  type IssuerSettingsView,
  type MethodName,
  type MethodOutput,
  type ParsedInput,
  type StatusView,
} from '../../shared/contract/index.js'
import { AppError, toErrorShape } from '../../shared/errors.js'
import type { App } from '../app.js'
import { isLoopback } from '../issuer/issuer-server.js'
import { inspectToken } from '../oauth/token-inspector.js'
import { measureClockSkew } from '../platform/clock-skew.js'
import { CA_CERT_FILE } from '../platform/paths.js'

type Implementation = {
  [M in MethodName]: (input: ParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>
}

const DAY = 24 * 3600

/**
 * Every contract method, implemented once over the services. Administrative acts are written
 * to the audit log here (ids, kids and counts only: never a secret) and announced as events.
 */
function implement(app: App, actor: string): Implementation {
  const audit = (action: string, subject: string, details: Record<string, unknown> = {}): void => {
    app.audit.append({ actor, action, subject, details })
  }
  const clientChanged = (id: string): void =>
    app.events.emit({ type: 'client.changed', data: { id } })
  const keysChanged = (): void =>
    app.events.emit({ type: 'key.rotated', data: { activeKid: app.keys.active().kid } })
  let lastSkew: ClockSkew | undefined

  const status = (): StatusView => {
    const now = app.nowSeconds()
    const keys = app.keys.list()
    const activeKey = keys.find((k) => k.state === 'active') ?? null
    const stats = app.ledger.stats(now)
    const warnings: StatusView['warnings'] = []
    if (app.vault.mode === 'passphrase') {
      warnings.push({
        code: 'vault_passphrase',
        message: 'No OS keychain: secrets are protected by the vault passphrase alone.',
      })
    }
    if (activeKey?.activatedAt && now - activeKey.activatedAt > 90 * DAY) {
      warnings.push({
        code: 'key_old',
        message: 'The active signing key is over 90 days old: rotate it.',
      })
    }
    for (const k of keys) {
      if (k.state === 'retiring' && k.retireAt !== null && k.retireAt - now < DAY) {
        warnings.push({
          code: 'key_retiring',
          message: `Key ${k.kid} leaves the JWKS within a day; tokens it signed stop validating then.`,
        })
      }
    }
    if (lastSkew && Math.abs(lastSkew.skewSeconds) >= 1) {
      warnings.push({
        code: 'clock_skew',
        message: `${lastSkew.url} is ${lastSkew.skewSeconds} s off: hubs reject tokens whose iat is in their future.`,
      })
    }
    return {
      setupCompleted: app.settings.get('setupCompleted') === true,
      vault: { mode: app.vault.mode },
      issuer: { ...app.urls(), running: app.running(), station: app.station() },
      caCertPem: readCaPem(app),
      activeKey,
      counts: { clients: app.clients.list().length, ...stats },
      settings: settingsView(app),
      warnings,
    }
  }

  const updateSettings = (patch: Partial<IssuerSettingsView>): IssuerSettingsView => {
    const current = app.issuerSettings()
    const next = { ...current, ...patch }
    if (!isLoopback(next.listenHost) && !next.publicHost) {
      throw new AppError(
        'invalid_input',
        'exposing the issuer on the LAN needs the host name hubs use to reach it',
      )
    }
    app.settings.set('issuer', next)
    audit('settings.changed', 'issuer', { keys: Object.keys(patch) })
    return settingsView(app)
  }

  return {
    'clients.add': (input) => {
      const added = app.clients.add(input)
      audit('client.created', input.id, { auth: input.auth.method })
      clientChanged(input.id)
      return added
    },
    'clients.list': () => app.clients.list(),
    'clients.get': ({ id }) => app.clients.get(id),
    'clients.rotateSecret': ({ id, graceSeconds }) => {
      const rotated = app.clients.rotateSecret(id, graceSeconds)
      audit('client.secret_rotated', id, { graceSeconds })
      clientChanged(id)
      return rotated
    },
    'clients.setDisabled': ({ id, disabled }) => {
      const client = app.clients.setDisabled(id, disabled)
      audit(disabled ? 'client.disabled' : 'client.enabled', id)
      clientChanged(id)
      return client
    },
    'clients.remove': ({ id }) => {
      app.clients.remove(id)
      audit('client.removed', id)
      clientChanged(id)
      return { removed: true as const }
    },
    'tokens.issue': async (input) => {
      const issued = await app.tokens.issueAsAdmin(input)
      audit('token.issued_by_admin', issued.jti, {
        clientId: input.clientId,
        expiresAt: issued.expiresAt,
      })
      return issued
    },
    'tokens.list': (input) => app.ledger.page(input, app.nowSeconds()),
    'tokens.revoke': ({ ids }) => {
      const revoked = app.ledger.blacklist(ids, app.nowSeconds())
      if (revoked.length > 0) {
        audit('token.revoked', revoked.join(' '), { count: revoked.length })
        app.events.emit({ type: 'token.revoked', data: { ids: revoked } })
      }
      return { blacklistedCount: revoked.length }
    },
    'tokens.inspect': ({ token, authority }) =>
      inspectToken(
        {
          keys: app.keys,
          ledger: app.ledger,
          authorities: app.authorities,
          issuer: () => app.urls().issuer,
          ownerClaim: () => app.issuerSettings().ownerClaim,
          station: () => app.station(),
          nowSeconds: app.nowSeconds,
        },
        token,
        authority,
      ),
    'keys.list': () => app.keys.list(),
    'keys.rotate': async ({ alg }) => {
      const keys = await app.keys.rotate(alg)
      audit('key.rotated', app.keys.active().kid, { alg: alg ?? app.keys.active().alg })
      keysChanged()
      return keys
    },
    'keys.import': async ({ pem, activate }) => {
      const key = await app.keys.importPem(pem, activate)
      audit('key.imported', key.kid, { alg: key.alg, activated: activate })
      keysChanged()
      return key
    },
    'keys.exportPublic': ({ format, kid }) => ({ content: app.keys.exportPublic(format, kid) }),
    'status.get': () => status(),
    'setup.complete': async ({ alg, publicHost, port, exposeOnLan }) => {
      if (exposeOnLan && !publicHost) {
        throw new AppError(
          'invalid_input',
          'exposing the issuer on the LAN needs the host name hubs use',
        )
      }
      updateSettings({
        publicHost,
        ...(port === undefined ? {} : { port }),
        listenHost: exposeOnLan ? '0.0.0.0' : '127.0.0.1',
      })
      if (app.keys.active().alg !== alg) {
        if (app.ledger.stats(app.nowSeconds()).tokens > 0) {
          await app.keys.rotate(alg as SigningAlgorithm)
        } else {
          await app.keys.replaceUnused(alg as SigningAlgorithm)
        }
        keysChanged()
      }
      app.settings.set('setupCompleted', true)
      audit('setup.completed', 'issuer', { alg, exposeOnLan })
      return status()
    },
    'settings.update': (patch) => updateSettings(patch),
    'clock.skew': async ({ url, caPem }) => {
      try {
        lastSkew = await measureClockSkew(url, caPem)
      } catch (err) {
        throw new AppError(
          'invalid_input',
          `cannot measure the clock of ${url}: ${(err as Error).message}`,
        )
      }
      return lastSkew
    },
    'audit.list': ({ offset, limit }) => app.audit.list(offset, limit),
    'audit.verify': () => app.audit.verify(),
    'audit.export': () => {
      const lines: string[] = []
      const entries = app.audit.exportJsonl((line) => lines.push(line))
      return { jsonl: lines.join(''), entries }
    },
  }
}

function settingsView(app: App): IssuerSettingsView {
  const s = app.issuerSettings()
  return {
    listenHost: s.listenHost,
    port: s.port,
    publicHost: s.publicHost,
    ownerClaim: s.ownerClaim,
    deviceIdClaim: s.deviceIdClaim,
    maxLifetimeSeconds: s.maxLifetimeSeconds,
    iatBackdateSeconds: s.iatBackdateSeconds,
    ledgerRetentionSeconds: s.ledgerRetentionSeconds,
    trustedAuthorities: s.trustedAuthorities,
  }
}

function readCaPem(app: App): string | null {
  try {
    return readFileSync(join(app.dataDir, CA_CERT_FILE), 'utf8')
  } catch {
    return null
  }
}

export type Dispatch = (method: string, input: unknown) => Promise<Envelope<unknown>>

/**
 * The one entry every transport calls (control socket, Electron IPC, headless bridge): checks
 * the method exists, parses the input with its schema, runs it and returns an envelope.
 * Unexpected errors are logged here and leave only as a generic `internal` error.
 * `actor` names the transport in the audit log (`cli`, `console`, `desktop`).
 */
export function createDispatcher(app: App, actor = 'local-admin'): Dispatch {
  const impl = implement(app, actor)
  return async (method, rawInput) => {
    try {
      if (!Object.hasOwn(contract, method))
        throw new AppError('invalid_input', `unknown method ${method}`)
      const name = method as MethodName
      const input = contract[name].input.parse(rawInput ?? {})
      const run = impl[name] as (input: unknown) => unknown
      return { ok: true, value: await run(input) }
    } catch (err) {
      if (err instanceof z.ZodError) {
        return { ok: false, error: { code: 'invalid_input', message: formatZodError(err) } }
      }
      if (!(err instanceof AppError) || !err.expose)
        app.log.error('operation failed', { method, error: err })
      return { ok: false, error: toErrorShape(err) }
    }
  }
}

export function formatZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ')
}
