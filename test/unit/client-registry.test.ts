// @vitest-environment node
import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  DEFAULT_CLIENT_LIFETIME_SECONDS,
  DEFAULT_DEVICE_ID_CLAIM,
  DEFAULT_OWNER_CLAIM,
} from '../../shared/constants.js'
import type { AddClientInput } from '../../shared/contract/index.js'
import { AppError, type ErrorCode } from '../../shared/errors.js'
import { ClientRegistry, STANDARD_CLAIMS } from '../../electron/clients/client-registry.js'
import { testCredentials } from '../../electron/clients/credential-test.js'
import { FixedClock, MemorySettings } from '../helpers/fakes.js'

const CAP = 7 * 24 * 3600

function setup(settings = new MemorySettings(), pepper = randomBytes(32)) {
  const clock = new FixedClock()
  const registry = new ClientRegistry({
    pepper,
    nowSeconds: clock.nowSeconds,
    limits: () => ({
      maxLifetimeSeconds: CAP,
      reservedClaims: [...STANDARD_CLAIMS, DEFAULT_OWNER_CLAIM, DEFAULT_DEVICE_ID_CLAIM],
    }),
    load: () => settings.get('clients'),
    save: (all) => settings.set('clients', all),
  })
  return { registry, settings, clock, pepper }
}

const input = (overrides: Partial<AddClientInput> = {}): AddClientInput => ({
  id: 'console-dps',
  owner: '1',
  ...overrides,
})

/** The secret shown once by add / rotateSecret (a secret client always gets one). */
function secretOf(result: { clientSecret?: string | undefined }): string {
  const secret = result.clientSecret
  if (secret === undefined) throw new Error('expected a client secret')
  return secret
}

/** A view's secrets without their fingerprints (tested on their own). */
function timesOf(secrets: { createdAt: number; expiresAt: number | null }[]) {
  return secrets.map(({ createdAt, expiresAt }) => ({ createdAt, expiresAt }))
}

function appError(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected an AppError, but the call returned')
}

describe('ClientRegistry.add', () => {
  it('returns a 43-character base64url secret of 256 random bits', () => {
    const { registry } = setup()
    const clientSecret = secretOf(registry.add(input()))
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(clientSecret, 'base64url')).toHaveLength(32)
    const other = secretOf(registry.add(input({ id: 'other' })))
    expect(other).not.toBe(clientSecret)
  })

  it('stores only HMAC-SHA256(pepper, secret), never the secret', () => {
    const { registry, settings, pepper } = setup()
    const added = registry.add(input())
    const clientSecret = secretOf(added)
    const { client } = added
    const file = settings.fileText()
    for (const form of [
      clientSecret,
      Buffer.from(clientSecret, 'base64url').toString('base64'),
      Buffer.from(clientSecret, 'base64url').toString('hex'),
    ]) {
      expect(file).not.toContain(form)
    }
    const stored = settings.get('clients')['console-dps']
    expect(stored?.secrets).toHaveLength(1)
    expect(stored?.secrets[0]?.hash).toBe(
      createHmac('sha256', pepper).update(clientSecret, 'utf8').digest('base64url'),
    )
    // The view handed out shows neither the secret nor its hash.
    expect(JSON.stringify(client)).not.toContain(stored?.secrets[0]?.hash)
    expect(timesOf(client.secrets)).toEqual([{ createdAt: 1_700_000_000, expiresAt: null }])
  })

  it('applies defaults and removes duplicate audiences and scopes', () => {
    const { registry } = setup()
    const { client } = registry.add(
      input({ audiences: ['a', 'b', 'a'], scopes: ['r', 'r'], extraClaims: { tenant: 'x' } }),
    )
    expect(client).toMatchObject({
      id: 'console-dps',
      owner: '1',
      audiences: ['a', 'b'],
      scopes: ['r'],
      maxLifetimeSeconds: DEFAULT_CLIENT_LIFETIME_SECONDS,
      extraClaims: { tenant: 'x' },
      tokenType: 'JWT',
      disabled: false,
      createdAt: 1_700_000_000,
    })
  })

  it('refuses a duplicate id with already_exists and keeps the first secret', () => {
    const { registry } = setup()
    const first = registry.add(input())
    expect(appError(() => registry.add(input({ owner: '2' }))).code).toBe('already_exists')
    expect(registry.authenticate('console-dps', secretOf(first))?.owner).toBe('1')
  })

  it.each<[string, number, ErrorCode | undefined]>([
    ['below the cap', CAP - 1, undefined],
    ['exactly the cap', CAP, undefined],
    ['one second above the cap', CAP + 1, 'policy_violation'],
    ['a year', 365 * 24 * 3600, 'policy_violation'],
  ])('lifetime %s', (_name, maxLifetimeSeconds, code) => {
    const { registry } = setup()
    const run = () => registry.add(input({ maxLifetimeSeconds }))
    if (code === undefined) expect(run().client.maxLifetimeSeconds).toBe(maxLifetimeSeconds)
    else {
      expect(appError(run).code).toBe(code)
      expect(registry.list()).toEqual([])
    }
  })

  it.each([...STANDARD_CLAIMS, DEFAULT_OWNER_CLAIM, DEFAULT_DEVICE_ID_CLAIM])(
    'refuses an extra claim that shadows %s',
    (claim) => {
      const { registry } = setup()
      const err = appError(() =>
        registry.add(input({ extraClaims: { tenant: 'x', [claim]: 'v' } })),
      )
      expect(err.code).toBe('policy_violation')
      expect(err.message).toContain(claim)
      expect(registry.list()).toEqual([])
    },
  )

  it.each(['tenant', 'https://example.com/role', 'Sub', 'owner'])(
    'accepts the extra claim %s',
    (claim) => {
      const { registry } = setup()
      expect(registry.add(input({ extraClaims: { [claim]: 1 } })).client.extraClaims).toEqual({
        [claim]: 1,
      })
    },
  )

  it.each([
    ['empty', ''],
    ['a space', 'console dps'],
    ['a slash', 'a/b'],
    ['a colon', 'a:b'],
    ['a percent sign', 'a%20b'],
    ['non-ASCII', 'gerät'],
    ['129 characters', 'a'.repeat(129)],
  ])('refuses an id with %s (zod)', (_name, id) => {
    const { registry } = setup()
    expect(() => registry.add(input({ id }))).toThrow(z.ZodError)
    expect(registry.list()).toEqual([])
  })

  it.each(['a', 'A.b_c~d-9', 'a'.repeat(128)])('accepts the id %s', (id) => {
    const { registry } = setup()
    expect(registry.add(input({ id })).client.id).toBe(id)
  })
})

describe('ClientRegistry.authenticate', () => {
  function twoClients() {
    const ctx = setup()
    const a = secretOf(ctx.registry.add(input({ id: 'a' })))
    const b = secretOf(ctx.registry.add(input({ id: 'b' })))
    ctx.registry.add(input({ id: 'off' }))
    return { ...ctx, a, b }
  }

  it.each<[string, (s: { a: string; b: string }) => [string, string], boolean]>([
    ['the right secret', ({ a }) => ['a', a], true],
    ['a wrong secret', () => ['a', randomBytes(32).toString('base64url')], false],
    ["another client's secret", ({ b }) => ['a', b], false],
    ['the secret with a character added', ({ a }) => ['a', `${a}x`], false],
    ['the secret missing its last character', ({ a }) => ['a', a.slice(0, -1)], false],
    ['an empty secret', () => ['a', ''], false],
    ['an unknown id', ({ a }) => ['nobody', a], false],
    ['the id in another case', ({ a }) => ['A', a], false],
  ])('%s', (_name, pick, ok) => {
    const ctx = twoClients()
    const [id, secret] = pick(ctx)
    const result = ctx.registry.authenticate(id, secret)
    if (ok) expect(result?.id).toBe(id)
    else expect(result).toBeUndefined()
  })

  it('refuses a disabled client even with the right secret, and accepts it again once enabled', () => {
    const { registry, a } = twoClients()
    registry.setDisabled('a', true)
    expect(registry.authenticate('a', a)).toBeUndefined()
    registry.setDisabled('a', false)
    expect(registry.authenticate('a', a)?.id).toBe('a')
  })

  it('authenticates after a reload with the same pepper, and not with another pepper', () => {
    const { settings, pepper, a } = twoClients()
    expect(setup(settings, pepper).registry.authenticate('a', a)?.id).toBe('a')
    expect(setup(settings, randomBytes(32)).registry.authenticate('a', a)).toBeUndefined()
  })
})

describe('ClientRegistry.rotateSecret', () => {
  it('grace 0: the old secret stops at once, the new one works', () => {
    const { registry } = setup()
    const old = secretOf(registry.add(input()))
    const rotated = registry.rotateSecret('console-dps', 0)
    const clientSecret = secretOf(rotated)
    const { client } = rotated
    expect(clientSecret).not.toBe(old)
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(registry.authenticate('console-dps', old)).toBeUndefined()
    expect(registry.authenticate('console-dps', clientSecret)?.id).toBe('console-dps')
    expect(timesOf(client.secrets)).toEqual([{ createdAt: 1_700_000_000, expiresAt: null }])
  })

  it.each<[number, boolean]>([
    // [seconds after the rotation, old secret still works]
    [0, true],
    [1, true],
    [599, true],
    [600, false],
    [601, false],
    [86_400, false],
  ])('grace 600: %i s later the old secret works: %s', (later, works) => {
    const { registry, clock } = setup()
    const old = secretOf(registry.add(input()))
    clock.advance(100)
    const rotatedAt = clock.now
    const fresh = registry.rotateSecret('console-dps', 600)
    expect(timesOf(fresh.client.secrets)).toEqual([
      { createdAt: rotatedAt, expiresAt: null },
      { createdAt: 1_700_000_000, expiresAt: rotatedAt + 600 },
    ])
    clock.advance(later)
    expect(registry.authenticate('console-dps', old) !== undefined).toBe(works)
    expect(registry.authenticate('console-dps', secretOf(fresh))?.id).toBe('console-dps')
  })

  it('a second rotation never extends the grace of an older secret', () => {
    const { registry, clock } = setup()
    const first = secretOf(registry.add(input()))
    const start = clock.now
    const second = secretOf(registry.rotateSecret('console-dps', 100))
    clock.advance(50)
    const third = registry.rotateSecret('console-dps', 1000)
    expect(third.client.secrets.map((s) => s.expiresAt)).toEqual([null, start + 1050, start + 100])
    clock.advance(60) // start + 110: the first secret's grace is over, the second's is not
    expect(registry.authenticate('console-dps', first)).toBeUndefined()
    expect(registry.authenticate('console-dps', second)?.id).toBe('console-dps')
    expect(registry.authenticate('console-dps', secretOf(third))?.id).toBe('console-dps')
  })

  it('grace 0 after a graceful rotation ends every older secret', () => {
    const { registry } = setup()
    const first = secretOf(registry.add(input()))
    const second = secretOf(registry.rotateSecret('console-dps', 600))
    const third = registry.rotateSecret('console-dps', 0)
    expect(third.client.secrets).toHaveLength(1)
    for (const old of [first, second])
      expect(registry.authenticate('console-dps', old)).toBeUndefined()
  })

  it('never stores a rotated secret either', () => {
    const { registry, settings } = setup()
    registry.add(input())
    const clientSecret = secretOf(registry.rotateSecret('console-dps', 60))
    expect(settings.fileText()).not.toContain(clientSecret)
  })
})

describe('ClientRegistry: unknown ids', () => {
  it.each<[string, (r: ClientRegistry) => unknown]>([
    ['get', (r) => r.get('nobody')],
    ['rotateSecret', (r) => r.rotateSecret('nobody', 0)],
    ['setDisabled', (r) => r.setDisabled('nobody', true)],
    ['remove', (r) => r.remove('nobody')],
  ])('%s → not_found', (_name, call) => {
    const { registry } = setup()
    expect(appError(() => call(registry)).code).toBe('not_found')
  })

  it('find returns undefined and list is sorted by id', () => {
    const { registry } = setup()
    for (const id of ['b', 'c', 'a']) registry.add(input({ id }))
    expect(registry.find('nobody')).toBeUndefined()
    expect(registry.list().map((c) => c.id)).toEqual(['a', 'b', 'c'])
    registry.remove('b')
    expect(registry.list().map((c) => c.id)).toEqual(['a', 'c'])
  })
})

describe('ClientRegistry: a failed save leaves the running state unchanged', () => {
  it.each<[string, (r: ClientRegistry) => unknown]>([
    ['add', (r) => r.add(input({ id: 'new' }))],
    ['rotateSecret with grace 0', (r) => r.rotateSecret('console-dps', 0)],
    ['setDisabled', (r) => r.setDisabled('console-dps', true)],
    ['remove', (r) => r.remove('console-dps')],
  ])('%s', (_name, change) => {
    const { registry, settings } = setup()
    const secret = secretOf(registry.add(input()))
    const before = registry.list()
    const fileBefore = settings.fileText()
    settings.failSet = true
    expect(() => change(registry)).toThrow(/EACCES/)
    expect(registry.list()).toEqual(before)
    expect(registry.find('new')).toBeUndefined()
    expect(registry.authenticate('console-dps', secret)?.id).toBe('console-dps')
    expect(settings.fileText()).toBe(fileBefore)
  })
})

describe('ClientRegistry.update', () => {
  it('changes the policy, keeps the secret working and lists each changed field once', () => {
    const { registry, clock } = setup()
    const secret = secretOf(registry.add(input({ scopes: ['r:*'], allowedOwners: ['2'] })))
    clock.advance(60)
    const { client, changes } = registry.update({
      id: 'console-dps',
      owner: '2',
      allowedOwners: ['2', '3'],
      scopes: ['r:*'],
      audiences: ['https://hub', 'https://hub'],
      maxLifetimeSeconds: 900,
      allowDeviceId: true,
    })
    expect(changes.map((c) => c.field)).toEqual([
      'owner',
      'allowedOwners',
      'allowDeviceId',
      'audiences',
      'maxLifetimeSeconds',
    ])
    expect(changes[0]).toEqual({ field: 'owner', from: '1', to: '2' })
    // The owner is not also an "other" allowed owner.
    expect(client.allowedOwners).toEqual(['3'])
    expect(client.audiences).toEqual(['https://hub'])
    expect(client.updatedAt).toBe(client.createdAt + 60)
    expect(registry.authenticate('console-dps', secret)?.owner).toBe('2')
  })

  it('reports no change and writes nothing when the values are the same', () => {
    const { registry, settings } = setup()
    registry.add(input())
    const saved = JSON.stringify(settings.get('clients'))
    expect(registry.update({ id: 'console-dps', owner: '1' }).changes).toEqual([])
    expect(JSON.stringify(settings.get('clients'))).toBe(saved)
  })

  it.each<[string, Record<string, unknown>, ErrorCode]>([
    ['an empty owner for a secret client', { owner: '' }, 'invalid_input'],
    ['a lifetime over the cap', { maxLifetimeSeconds: CAP + 1 }, 'policy_violation'],
    ['a standard claim', { extraClaims: { sub: 'x' } }, 'policy_violation'],
    ['an unknown id', { id: 'nope' }, 'not_found'],
  ])('refuses %s and keeps the client as it was', (_what, patch, code) => {
    const { registry } = setup()
    registry.add(input())
    const before = registry.get('console-dps')
    const err = appError(() => registry.update({ id: 'console-dps', ...patch }))
    expect(err.code).toBe(code)
    expect(registry.get('console-dps')).toEqual(before)
  })
})

describe('ClientRegistry.endGrace', () => {
  it('stops every previous secret now and keeps the newest', () => {
    const { registry } = setup()
    const first = secretOf(registry.add(input()))
    const second = secretOf(registry.rotateSecret('console-dps', 3600))
    expect(registry.authenticate('console-dps', first)).toBeDefined()
    const { client, ended } = registry.endGrace('console-dps')
    expect(ended).toBe(1)
    expect(client.secrets).toHaveLength(1)
    expect(registry.authenticate('console-dps', first)).toBeUndefined()
    expect(registry.authenticate('console-dps', second)).toBeDefined()
    expect(registry.endGrace('console-dps').ended).toBe(0)
  })
})

describe('secret fingerprints', () => {
  it('are 8 hex digits over the stored hash: distinct per secret, never part of the secret or hash', () => {
    const { registry, settings } = setup()
    const first = secretOf(registry.add(input()))
    const second = secretOf(registry.rotateSecret('console-dps', 600))
    const [newer, older] = registry.get('console-dps').secrets
    expect(newer?.fingerprint).toMatch(/^[0-9a-f]{8}$/)
    expect(newer?.fingerprint).not.toBe(older?.fingerprint)
    const stored = JSON.stringify(settings.get('clients'))
    for (const s of [newer, older]) {
      expect(stored).not.toContain(s?.fingerprint)
      expect(first).not.toContain(s?.fingerprint)
      expect(second).not.toContain(s?.fingerprint)
    }
  })
})

describe('testCredentials (fake token endpoint)', () => {
  const refused = { status: 401, body: JSON.stringify({ error: 'invalid_client' }) }
  function deps(answers: { status: number; body: string }[], registry?: ClientRegistry) {
    const sent: { form: string; headers: Record<string, string> }[] = []
    return {
      sent,
      deps: {
        loopbackTokenEndpoint: 'https://127.0.0.1:9/oauth/token',
        tokenEndpoint: 'https://station.local:9/oauth/token',
        post: (_url: string, form: string, headers: Record<string, string>) => {
          sent.push({ form, headers })
          const next = answers.shift()
          return next ? Promise.resolve(next) : Promise.reject(new Error('ECONNREFUSED'))
        },
        find: (id: string) => registry?.find(id),
        ownerClaim: 'https://plgd.dev/owner',
        nowSeconds: () => 1_700_000_000,
      },
    }
  }

  it('tries HTTP Basic, then the form body, as x/oauth2 does, and keeps the token to itself', async () => {
    const token = [
      Buffer.from('{"alg":"ES256"}').toString('base64url'),
      Buffer.from(
        JSON.stringify({ sub: '1', 'https://plgd.dev/owner': '1', exp: 1_700_000_600 }),
      ).toString('base64url'),
      'sig',
    ].join('.')
    const { deps: d, sent } = deps([refused, { status: 200, body: `{"access_token":"${token}"}` }])
    const result = await testCredentials(d, { clientId: 'a b', clientSecret: 's:1' })
    expect(sent[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('a+b:s%3A1').toString('base64')}`,
    )
    expect(sent[1]?.form).toBe('grant_type=client_credentials&client_id=a%20b&client_secret=s%3A1')
    expect(result.ok).toBe(true)
    expect(result.claims).toEqual({
      sub: '1',
      owner: '1',
      audiences: [],
      scope: '',
      expiresInSeconds: 600,
    })
    expect(JSON.stringify(result)).not.toContain(token)
  })

  it.each<[string, (r: ClientRegistry) => void, string, RegExp]>([
    ['an unknown id', () => undefined, 'nobody', /no client nobody/],
    ['a disabled client', (r) => r.setDisabled('console-dps', true), 'console-dps', /disabled/],
    [
      'a secret for a private_key_jwt client',
      (r) =>
        r.add(input({ id: 'jwt', auth: { method: 'private_key_jwt', jwksUri: 'https://x/j' } })),
      'jwt',
      /authenticates with private_key_jwt, not a secret/,
    ],
    ['a wrong secret', () => undefined, 'console-dps', /secret does not match/],
  ])('explains %s from what the admin can see', async (_what, arrange, id, reason) => {
    const { registry } = setup()
    registry.add(input())
    arrange(registry)
    const { deps: d } = deps([refused, refused], registry)
    const result = await testCredentials(d, { clientId: id, clientSecret: 'x' })
    expect(result.ok).toBe(false)
    expect(result.explanation).toMatch(reason)
  })

  it('stops at a throttle answer and says to wait', async () => {
    const { deps: d, sent } = deps([{ status: 429, body: '{"error":"temporarily_unavailable"}' }])
    const result = await testCredentials(d, { clientId: 'x', clientSecret: 'y' })
    expect(sent).toHaveLength(1)
    expect(result.explanation).toMatch(/throttled/)
  })

  it('names the endpoint and how to start the issuer when nothing answers', async () => {
    const { deps: d } = deps([])
    await expect(testCredentials(d, { clientId: 'x', clientSecret: 'y' })).rejects.toThrow(
      /station\.local.*did not answer.*start the issuer/,
    )
  })
})
