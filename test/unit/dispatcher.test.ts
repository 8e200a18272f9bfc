// @vitest-environment node
import { generateKeyPairSync } from 'node:crypto'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  contract,
  type AppEvent,
  type AuditEntry,
  type auditMethods,
  type ClientWithSecret,
  type ClockSkew,
  type clockMethods,
  type Envelope,
  type IssuedToken,
  type KeyView,
  type StatusView,
} from '../../shared/contract/index.js'
import type { ErrorShape } from '../../shared/errors.js'
import { createDispatcher, type Dispatch } from '../../electron/api/dispatcher.js'
import { implementClients } from '../../electron/api/methods/clients.js'
import {
  implementMethods,
  type Implementation,
  type MethodContext,
} from '../../electron/api/methods/index.js'
import type { DomainTable } from '../../electron/api/methods/method-table.js'
import { ensureTls } from '../../electron/tls/local-ca.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'

let t: TestApp
let dispatch: Dispatch

beforeAll(async () => {
  t = await openTestApp()
  dispatch = createDispatcher(t.app)
})

afterAll(() => {
  t?.close()
})

function failure(envelope: Envelope<unknown>): ErrorShape {
  if (envelope.ok) throw new Error(`expected a failure, got ${JSON.stringify(envelope.value)}`)
  return envelope.error
}

function success<T>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`expected success, got ${JSON.stringify(envelope.error)}`)
  return envelope.value as T
}

describe('dispatcher: method names', () => {
  it.each([
    'nope',
    'clients',
    'clients.nope',
    'Clients.add',
    'clients.add ',
    '',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
  ])('refuses the unknown method %j with invalid_input', async (method) => {
    const error = failure(await dispatch(method, {}))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toBe(`unknown method ${method}`)
  })
})

describe('dispatcher: input validation', () => {
  it.each<[string, unknown, RegExp]>([
    ['clients.add', { id: 'a b', owner: '1' }, /^id: /],
    ['clients.add', { id: 'dev' }, /^owner: /],
    ['clients.add', { id: 'dev', owner: '1', maxLifetimeSeconds: 0 }, /^maxLifetimeSeconds: /],
    ['clients.add', { id: 'dev', owner: '1', audiences: ['a b'] }, /^audiences\.0: .*spaces/],
    ['clients.add', { id: 'dev', owner: '1', tokenType: 'jwt' }, /^tokenType: /],
    ['clients.get', {}, /^id: /],
    ['clients.get', null, /^id: /],
    ['clients.get', { id: 42 }, /^id: /],
    ['clients.rotateSecret', { id: 'dev', graceSeconds: -1 }, /^graceSeconds: /],
    ['clients.rotateSecret', { id: 'dev', graceSeconds: 1.5 }, /^graceSeconds: /],
    ['clients.setDisabled', { id: 'dev', disabled: 'yes' }, /^disabled: /],
    ['tokens.issue', { clientId: 'dev', lifetimeSeconds: -5 }, /^lifetimeSeconds: /],
    ['tokens.issue', { clientId: 'dev', scopes: 'r:*' }, /^scopes: /],
    ['keys.rotate', { alg: 'HS256' }, /^alg: /],
    ['keys.import', { pem: '' }, /^pem: /],
  ])('%s %j → invalid_input naming the field', async (method, input, message) => {
    const error = failure(await dispatch(method, input))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(message)
  })

  it.each([
    ['audiences', { audiences: [''] }],
    ['scopes', { scopes: ['  '] }],
  ])('an empty entry in %s gets one message, not a spaces complaint too', async (field, extra) => {
    const error = failure(await dispatch('clients.add', { id: 'dev', owner: '1', ...extra }))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(new RegExp(`^${field}\\.0: `))
    expect(error.message).not.toMatch(/spaces|;/)
  })

  it('reports a refinement without a path', async () => {
    const error = failure(
      await dispatch('tokens.issue', { clientId: 'dev', lifetimeSeconds: 60, expiration: 2e9 }),
    )
    expect(error).toEqual({
      code: 'invalid_input',
      message: 'give either a lifetime or an expiration, not both',
    })
  })
})

describe('dispatcher: operations', () => {
  it('clients.add then tokens.issue mints a token that verifies against the JWKS', async () => {
    const added = success<ClientWithSecret>(
      await dispatch('clients.add', { id: 'console-dps', owner: '1', scopes: ['r:*', 'w:*'] }),
    )
    expect(added.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(added.client).toMatchObject({ id: 'console-dps', owner: '1' })

    const issued = success<IssuedToken>(
      await dispatch('tokens.issue', { clientId: 'console-dps', scopes: ['r:*'], name: 'dps' }),
    )
    expect(issued).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 3600,
      expiresAt: t.clock.now + 3600,
      scope: 'r:*',
    })
    const jwks = createLocalJWKSet(JSON.parse(t.app.keys.jwksJson()) as JSONWebKeySet)
    const { payload, protectedHeader } = await jwtVerify(issued.accessToken, jwks, {
      issuer: t.app.urls().issuer,
      currentDate: new Date(t.clock.now * 1000),
    })
    expect(protectedHeader).toMatchObject({
      alg: 'ES256',
      typ: 'JWT',
      kid: t.app.keys.active().kid,
    })
    expect(payload).toMatchObject({
      jti: issued.jti,
      sub: '1',
      client_id: 'console-dps',
      scope: 'r:*',
      name: 'dps',
      'https://plgd.dev/owner': '1',
      iat: t.clock.now,
      exp: issued.expiresAt,
    })
    expect(payload).not.toHaveProperty('aud')
  })

  it.each<[string, string, unknown, string, RegExp]>([
    ['a duplicate client', 'clients.add', { id: 'dup', owner: '1' }, 'already_exists', /dup/],
    ['an unknown client', 'clients.get', { id: 'ghost' }, 'not_found', /ghost/],
    ['a token for an unknown client', 'tokens.issue', { clientId: 'ghost' }, 'not_found', /ghost/],
    [
      'a token beyond the lifetime',
      'tokens.issue',
      { clientId: 'dup', lifetimeSeconds: 3601 },
      'policy_violation',
      /a lifetime of 3601s is over client dup's maximum of 1h/,
    ],
    [
      'an Ed25519 key',
      'keys.import',
      { pem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) },
      'invalid_input',
      /ed25519/,
    ],
  ])('returns the exposed AppError for %s', async (_name, method, input, code, message) => {
    await dispatch('clients.add', { id: 'dup', owner: '1' })
    const error = failure(await dispatch(method, input))
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
  })
})

describe('dispatcher: unexpected errors', () => {
  it.each<[string, string, unknown]>([
    ['clients.add', 'clients.add', { id: 'unlucky', owner: '1' }],
    ['keys.rotate', 'keys.rotate', {}],
  ])(
    '%s failing to save → internal, generic message, details only in the log',
    async (_name, method, input) => {
      const before = t.app.clients.list()
      const logged = t.log.entries.length
      t.settings.failSet = true
      let envelope: Envelope<unknown>
      try {
        envelope = await dispatch(method, input)
      } finally {
        t.settings.failSet = false
      }
      expect(failure(envelope)).toEqual({
        code: 'internal',
        message: 'internal error; see the log',
      })
      expect(JSON.stringify(envelope)).not.toMatch(/EACCES|memory|settings\.json/)
      expect(t.app.clients.list()).toEqual(before)
      // A deferred audit-anchor write failing too is logged on its own line, without a method.
      const entries = t.log.entries.slice(logged).filter((e) => e.fields?.method !== undefined)
      expect(entries).toHaveLength(1)
      expect(entries[0]).toMatchObject({ level: 'error', fields: { method } })
      expect(String((entries[0]?.fields?.error as Error | undefined)?.message)).toMatch(/EACCES/)
    },
  )
})

describe('dispatcher: routing', () => {
  it('routes every contract method to exactly one implementation', () => {
    const table = implementMethods(t.app, 'cli')
    expect(Object.keys(table).sort()).toEqual(Object.keys(contract).sort())
    expect(Object.values(table).every((f) => typeof f === 'function')).toBe(true)
  })

  it('rejects a table with a method missing or one the contract does not declare', () => {
    // Checked by `tsc -p tsconfig.test.json`: each @ts-expect-error fails the build if the
    // line it guards compiles, so the types must keep refusing both mistakes.
    const typeChecks = (ctx: MethodContext): unknown[] => {
      // @ts-expect-error audit.export is missing
      const missing: DomainTable<typeof auditMethods> = {
        'audit.list': () => ({ items: [], total: 0 }),
        'audit.verify': () => ({ ok: true, entries: 0 }),
      }
      const extra: DomainTable<typeof clockMethods> = {
        'clock.skew': ({ url }) => ({ url, skewSeconds: 0, roundTripMs: 0 }),
        // @ts-expect-error clock.set is not a contract method
        'clock.set': () => undefined,
      }
      // @ts-expect-error every domain but clients is missing
      const partial: Implementation = { ...implementClients(ctx) }
      return [missing, extra, partial]
    }
    expect(typeChecks).toBeTypeOf('function')
  })
})

describe('dispatcher: the audit actor', () => {
  it('names the transport that acted', async () => {
    const viaConsole = createDispatcher(t.app, 'console')
    const viaCli = createDispatcher(t.app, 'cli')
    success(await viaConsole('clients.add', { id: 'by-console', owner: '1' }))
    success(await viaCli('clients.remove', { id: 'by-console' }))
    const [removed, created] = t.app.audit.list(0, 2).items
    expect(created).toMatchObject({
      actor: 'console',
      action: 'client.created',
      subject: 'by-console',
    })
    expect(removed).toMatchObject({ actor: 'cli', action: 'client.removed', subject: 'by-console' })
  })
})

/** An HTTPS server on 127.0.0.1 whose Date header runs `offsetSeconds` ahead of ours. */
async function skewedServer(
  sealer: TestApp['app']['sealer'],
): Promise<{ url: string; caPem: string; offsetSeconds: number; close(): Promise<void> }> {
  const { material } = await ensureTls({
    stored: undefined,
    hosts: ['127.0.0.1'],
    now: new Date(),
    sealer,
  })
  const state = {
    url: '',
    caPem: material.caCertPem,
    offsetSeconds: 0,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
  const server = createHttpsServer(
    { key: material.keyPem, cert: material.certPem },
    (_req, res) => {
      const date = new Date(Date.now() + state.offsetSeconds * 1000).toUTCString()
      res.writeHead(200, { date, connection: 'close' })
      res.end()
    },
  )
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  state.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hub`
  return state
}

describe('dispatcher: state lives in the app', () => {
  let skewed: TestApp
  let server: Awaited<ReturnType<typeof skewedServer>>

  beforeAll(async () => {
    skewed = await openTestApp()
    server = await skewedServer(skewed.app.sealer)
  })

  afterAll(async () => {
    await server?.close()
    skewed?.close()
  })

  const clockWarnings = (status: StatusView): StatusView['warnings'] =>
    status.warnings.filter((w) => w.code === 'clock_skew')

  it('a clock skew measured from the CLI shows as a warning in the console', async () => {
    // serve and the desktop app build one dispatcher per transport over the same app.
    const cli = createDispatcher(skewed.app, 'cli')
    const viaConsole = createDispatcher(skewed.app, 'console')
    expect(clockWarnings(success<StatusView>(await viaConsole('status.get', {})))).toEqual([])

    server.offsetSeconds = 120
    const skew = success<ClockSkew>(
      await cli('clock.skew', { url: server.url, caPem: server.caPem }),
    )
    expect(skew.url).toBe(server.url)
    expect(skew.skewSeconds).toBeGreaterThan(118)
    expect(skew.skewSeconds).toBeLessThan(122)

    expect(clockWarnings(success<StatusView>(await viaConsole('status.get', {})))).toEqual([
      {
        code: 'clock_skew',
        message: `${server.url} is ${skew.skewSeconds} s off: hubs reject tokens whose iat is in their future.`,
      },
    ])
  })

  it('the last measurement wins, whichever transport took it', async () => {
    const cli = createDispatcher(skewed.app, 'cli')
    const desktop = createDispatcher(skewed.app, 'desktop')
    server.offsetSeconds = -60
    success(await desktop('clock.skew', { url: server.url, caPem: server.caPem }))
    const [warning] = clockWarnings(success<StatusView>(await cli('status.get', {})))
    expect(warning?.message).toMatch(/ is -(59|60|61)(\.\d)? s off/)

    server.offsetSeconds = 0
    const level = success<ClockSkew>(
      await desktop('clock.skew', { url: server.url, caPem: server.caPem }),
    )
    // Date has one-second resolution: a level clock measures under a second off.
    expect(Math.abs(level.skewSeconds)).toBeLessThan(1)
    expect(clockWarnings(success<StatusView>(await cli('status.get', {})))).toEqual([])
  })

  it('a failed measurement is an invalid_input naming the URL, and keeps the last one', async () => {
    const cli = createDispatcher(skewed.app, 'cli')
    server.offsetSeconds = 30
    success(await cli('clock.skew', { url: server.url, caPem: server.caPem }))
    // Without the CA, the certificate is not trusted.
    const error = failure(await cli('clock.skew', { url: server.url }))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toContain(`cannot measure the clock of ${server.url}: `)
    expect(clockWarnings(success<StatusView>(await cli('status.get', {})))).toHaveLength(1)
  })
})

describe('dispatcher: revocation', () => {
  let r: TestApp
  let dispatchAs: Dispatch
  let issuer: Server
  let origin: string
  const events: AppEvent[] = []

  beforeAll(async () => {
    r = await openTestApp()
    dispatchAs = createDispatcher(r.app, 'console')
    r.app.events.subscribe((e) => {
      if (e.type === 'token.revoked') events.push(e)
    })
    issuer = createHttpServer(r.app.issuerHandler())
    await new Promise<void>((ready) => issuer.listen(0, '127.0.0.1', ready))
    origin = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise<void>((done) => issuer?.close(() => done()))
    r?.close()
  })

  const lastAudit = (): AuditEntry | undefined => r.app.audit.list(0, 1).items[0]

  it('every path writes one token.revoked entry and one event', async () => {
    const { clientSecret } = success<ClientWithSecret>(
      await dispatchAs('clients.add', { id: 'dev', owner: '1' }),
    )
    const issue = async (): Promise<IssuedToken> =>
      success<IssuedToken>(await dispatchAs('tokens.issue', { clientId: 'dev' }))
    const [first, second, third, bearer] = [
      await issue(),
      await issue(),
      await issue(),
      await issue(),
    ]

    // The console (or the CLI) through the dispatcher.
    expect(success(await dispatchAs('tokens.revoke', { ids: [first.jti] }))).toEqual({
      blacklistedCount: 1,
    })
    expect(lastAudit()).toMatchObject({
      actor: 'console',
      action: 'token.revoked',
      subject: first.jti,
      details: { count: 1 },
    })

    // RFC 7009, by the client that holds the token.
    const basic = Buffer.from(`dev:${clientSecret}`).toString('base64')
    const rfc7009 = await fetch(`${origin}/m2m-oauth-server/oauth/revoke`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: second.accessToken }).toString(),
    })
    expect(rfc7009.status).toBe(200)
    expect(lastAudit()).toMatchObject({
      actor: 'client:dev',
      action: 'token.revoked',
      subject: second.jti,
      details: { via: 'rfc7009' },
    })

    // plgd's tokens API, by the owner.
    const api = await fetch(`${origin}/m2m-oauth-server/api/v1/tokens?idFilter=${third.jti}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${bearer.accessToken}` },
    })
    expect(api.status).toBe(200)
    expect(lastAudit()).toMatchObject({
      actor: 'owner:1',
      action: 'token.revoked',
      subject: third.jti,
      details: { via: 'tokens-api', blacklistedCount: 1, deletedCount: 0 },
    })

    expect(events).toEqual([
      { type: 'token.revoked', data: { ids: [first.jti] } },
      { type: 'token.revoked', data: { ids: [second.jti] } },
      { type: 'token.revoked', data: { ids: [third.jti] } },
    ])
  })

  it('revoking what is already revoked records nothing', async () => {
    const before = r.app.audit.list(0, 1).total
    const seen = events.length
    const [revoked] = r.app.ledger.page(
      { status: 'revoked', offset: 0, limit: 1 },
      r.clock.now,
    ).items
    expect(revoked).toBeDefined()
    expect(success(await dispatchAs('tokens.revoke', { ids: [revoked!.id] }))).toEqual({
      blacklistedCount: 0,
    })
    expect(r.app.audit.list(0, 1).total).toBe(before)
    expect(events).toHaveLength(seen)
  })

  // Issue 16: an unknown jti (a typo) is said, not counted as "0 revoked"; none is revoked.
  it('refuses an unknown jti, naming it, and revokes none of the others', async () => {
    const before = r.app.audit.list(0, 1).total
    const [live] = r.app.ledger.page({ status: 'active', offset: 0, limit: 1 }, r.clock.now).items
    expect(live).toBeDefined()
    expect(failure(await dispatchAs('tokens.revoke', { ids: [live!.id, 'nope'] }))).toEqual({
      code: 'not_found',
      message: expect.stringContaining('no token with jti nope'),
    })
    expect(r.app.ledger.get(live!.id)?.blacklisted).toBeNull()
    expect(r.app.audit.list(0, 1).total).toBe(before)
  })
})

describe('dispatcher: setup', () => {
  const setUp = async (
    issueFirst: boolean,
  ): Promise<{
    status: StatusView
    keys: KeyView[]
    before: KeyView
    audit: AuditEntry[]
    events: AppEvent[]
  }> => {
    const s = await openTestApp()
    try {
      const before = s.app.keys.list().find((k) => k.state === 'active')!
      const run = createDispatcher(s.app, 'desktop')
      if (issueFirst) {
        success(await run('clients.add', { id: 'dev', owner: '1' }))
        success(await run('tokens.issue', { clientId: 'dev' }))
      }
      const events: AppEvent[] = []
      s.app.events.subscribe((e) => events.push(e))
      const since = s.app.audit.list(0, 1).total
      const status = success<StatusView>(
        await run('setup.complete', { alg: 'RS256', publicHost: 'issuer.lan', exposeOnLan: true }),
      )
      const audit = s.app.audit.list(0, 100).items.slice(0, s.app.audit.list(0, 1).total - since)
      return { status, keys: s.app.keys.list(), before, audit: audit.reverse(), events }
    } finally {
      s.close()
    }
  }

  it('swaps an unused key for the chosen algorithm, and writes the settings', async () => {
    const { status, keys, audit, events } = await setUp(false)
    expect(status).toMatchObject({
      setupCompleted: true,
      activeKey: { alg: 'RS256' },
      settings: { listenHost: '0.0.0.0', publicHost: 'issuer.lan' },
    })
    expect(keys.map((k) => [k.alg, k.state])).toEqual([
      ['RS256', 'active'],
      ['RS256', 'next'],
    ])
    expect(audit.map((e) => [e.actor, e.action, e.details])).toEqual([
      ['desktop', 'settings.changed', { keys: ['publicHost', 'listenHost'] }],
      ['desktop', 'setup.completed', { alg: 'RS256', exposeOnLan: true }],
    ])
    expect(events).toEqual([{ type: 'key.rotated', data: { activeKid: status.activeKey?.kid } }])
  })

  it('rotates once a token was issued, so the old key keeps verifying it', async () => {
    const { keys, before } = await setUp(true)
    // A rotation: the key that signed stays published as retiring, and an RS256 key is added.
    expect(keys.find((k) => k.kid === before.kid)).toMatchObject({
      alg: 'ES256',
      state: 'retiring',
    })
    expect(keys.some((k) => k.alg === 'RS256')).toBe(true)
  })

  it('refuses the LAN without a host name and changes nothing', async () => {
    const before = t.settings.fileText()
    const error = failure(await dispatch('setup.complete', { exposeOnLan: true }))
    expect(error).toEqual({
      code: 'invalid_input',
      message: 'exposing the issuer on the LAN needs the host name hubs use',
    })
    expect(t.settings.fileText()).toBe(before)
  })
})
