import { describe, expect, it } from 'vitest'
import type { HubView } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { HubContext } from '../../electron/plgd/hub-context.js'
import type { PlgdClient, PlgdRequest } from '../../electron/plgd/plgd-client.js'
import {
  createCondition,
  createConfiguration,
  type ConditionTokens,
} from '../../electron/plgd/snippets.js'

const CONFIG = '0b8f3c9e-4e1a-4c4e-9a53-8d1f0f1f2a3b'
const token = (jti: string) =>
  `e30.${Buffer.from(JSON.stringify({ jti, exp: 9999 })).toString('base64url')}.sig`

function hub(json: PlgdClient['json']): HubContext {
  return {
    profile: { name: 'lab' } as HubView,
    owner: 'alice',
    bearer: () => Promise.resolve('bearer'),
    client: (service) => {
      expect(service).toBe('snippets')
      return { baseUrl: 'https://api.hub', json, stream: () => (async function* () {})() }
    },
  }
}

function tokens() {
  const issued: unknown[] = []
  const revoked: string[] = []
  const minter: ConditionTokens = {
    issue: (input) => {
      issued.push(input)
      return Promise.resolve({ accessToken: token('j1'), jti: 'j1', expiresAt: 9999 })
    },
    revoke: (jti) => revoked.push(jti),
    known: () => false,
  }
  return { minter, issued, revoked }
}

const input = {
  hub: 'lab',
  configId: CONFIG,
  name: 'on first publish',
  deviceIds: ['d1'],
  resourceTypes: ['core.light'],
  hrefs: ['/light/1'],
  jq: '.power != 42',
  clientId: 'snippets',
  tokenLifetimeSeconds: 86_400,
  enabled: true,
}

describe('conditions.create', () => {
  it("mints the token for the hub's owner with the chosen lifetime and posts it", async () => {
    let body: unknown
    const t = tokens()
    const out = await createCondition(
      hub(<T>(method: string, path: string, request?: PlgdRequest) => {
        expect([method, path]).toEqual(['POST', '/snippet-service/api/v1/conditions'])
        body = request?.body
        return Promise.resolve({ id: 'k1', version: '0', ...(request?.body as object) } as T)
      }),
      t.minter,
      input,
    )
    expect(t.issued).toEqual([
      {
        clientId: 'snippets',
        lifetimeSeconds: 86_400,
        name: 'condition on first publish',
        owner: 'alice',
      },
    ])
    expect(body).toEqual({
      name: 'on first publish',
      enabled: true,
      configurationId: CONFIG,
      deviceIdFilter: ['d1'],
      resourceTypeFilter: ['core.light'],
      resourceHrefFilter: ['/light/1'],
      jqExpressionFilter: '.power != 42',
      apiAccessToken: token('j1'),
    })
    expect(out.tokenJti).toBe('j1')
    expect(out.condition).toMatchObject({ id: 'k1', tokenJti: 'j1', tokenExpiresAt: 9999 })
    expect(JSON.stringify(out)).not.toContain(token('j1'))
  })

  it('revokes the minted token when the hub refuses the condition', async () => {
    const t = tokens()
    await expect(
      createCondition(
        hub(() => Promise.reject(new AppError('conflict', 'refused'))),
        t.minter,
        input,
      ),
    ).rejects.toThrow('refused')
    expect(t.revoked).toEqual(['j1'])
  })

  it("says what the client's policy refused and where to look", async () => {
    const t = tokens()
    t.minter.issue = () =>
      Promise.reject(new AppError('policy_violation', 'lifetime exceeds 3600 s'))
    await expect(
      createCondition(
        hub(() => Promise.reject(new Error())),
        t.minter,
        input,
      ),
    ).rejects.toThrow(
      /client snippets cannot mint the condition token: lifetime exceeds 3600 s.*owner alice.*clients show snippets/,
    )
  })
})

describe('configs.create', () => {
  it('posts base64 JSON content and returns id and version as a number', async () => {
    let body: unknown
    const out = await createConfiguration(
      hub(<T>(_m: string, path: string, request?: PlgdRequest) => {
        expect(path).toBe('/snippet-service/api/v1/configurations')
        body = request?.body
        return Promise.resolve({ id: CONFIG, version: '0' } as T)
      }),
      { hub: 'lab', name: 'light', resources: [{ href: '/light/1', content: { power: 42 } }] },
    )
    expect(body).toEqual({
      name: 'light',
      resources: [
        {
          href: '/light/1',
          content: {
            data: 'eyJwb3dlciI6NDJ9',
            contentType: 'application/json',
            coapContentFormat: 50,
          },
          timeToLive: '0',
        },
      ],
    })
    expect(out).toEqual({ configuration: { id: CONFIG, version: 0 } })
  })
})
