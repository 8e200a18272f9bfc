import { describe, expect, it } from 'vitest'
import {
  appliedOutcome,
  appliedResources,
  appliedStatus,
} from '../../electron/plgd/applied-status.js'
import {
  decodeContent,
  encodeResource,
  nsToSeconds,
  toConfigurationView,
} from '../../electron/plgd/snippet-content.js'
import { hrefPath, snippetPath } from '../../electron/plgd/snippet-paths.js'
import { peekJwt, toConditionView } from '../../electron/plgd/snippets.js'
import type { PlgdClient } from '../../electron/plgd/plgd-client.js'

describe('snippet-service content', () => {
  it('encodes a resource as interop §4.3 shows it', () => {
    expect(
      encodeResource({ href: '/light/1', content: { power: 42 }, timeToLiveSeconds: 60 }),
    ).toEqual({
      href: '/light/1',
      content: { contentType: 'application/json', coapContentFormat: 50, data: 'eyJwb3dlciI6NDJ9' },
      timeToLive: '60000000000',
    })
  })

  it('writes no time to live as 0 (no limit) and reads ns strings back as seconds', () => {
    expect(encodeResource({ href: '/a', content: null }).timeToLive).toBe('0')
    expect(
      encodeResource({ href: '/a', content: null, timeToLiveSeconds: 86_400 }).timeToLive,
    ).toBe('86400000000000')
    expect(nsToSeconds('60000000000')).toBe(60)
    expect(nsToSeconds(undefined)).toBe(0)
    expect(nsToSeconds('not a number')).toBe(0)
  })

  it('decodes protojson content and passes content the default marshaller already decoded', () => {
    expect(decodeContent({ data: 'eyJwb3dlciI6NDJ9', contentType: 'application/json' })).toEqual({
      value: { power: 42 },
      contentType: 'application/json',
    })
    expect(decodeContent({ power: 42 })).toEqual({
      value: { power: 42 },
      contentType: 'application/json',
    })
    // CBOR is shown as base64, never guessed at.
    expect(
      decodeContent({ data: 'oWVwb3dlchgq', contentType: 'application/vnd.ocf+cbor' }),
    ).toEqual({
      value: 'oWVwb3dlchgq',
      contentType: 'application/vnd.ocf+cbor',
    })
  })

  it('maps a configuration with uint64 strings to the view', () => {
    const view = toConfigurationView({
      id: 'c1',
      version: '3',
      name: 'light',
      owner: 'alice',
      timestamp: '1751476400123456789',
      resources: [
        {
          href: '/light/1',
          content: {
            data: 'eyJwb3dlciI6NDJ9',
            contentType: 'application/json',
            coapContentFormat: 50,
          },
          timeToLive: '60000000000',
        },
      ],
    })
    expect(view).toEqual({
      id: 'c1',
      version: 3,
      name: 'light',
      owner: 'alice',
      timestamp: 1751476400,
      resources: [
        {
          href: '/light/1',
          content: { power: 42 },
          contentType: 'application/json',
          timeToLiveSeconds: 60,
        },
      ],
    })
  })

  it('adds the /snippet-service prefix only when the base lacks it', () => {
    const at = (baseUrl: string) => ({ baseUrl }) as PlgdClient
    expect(snippetPath(at('https://api.hub'), '/configurations')).toBe(
      '/snippet-service/api/v1/configurations',
    )
    expect(snippetPath(at('https://api.hub/snippet-service/'), '/configurations')).toBe(
      '/api/v1/configurations',
    )
    expect(hrefPath('/light/1 a')).toBe('/light/1%20a')
  })
})

describe('applied configuration status', () => {
  it('reads enum names and numbers; anything else is UNSPECIFIED', () => {
    expect(appliedStatus('DONE')).toBe('DONE')
    expect(appliedStatus(4)).toBe('TIMEOUT')
    expect(appliedStatus(undefined)).toBe('UNSPECIFIED')
    expect(appliedStatus('WHATEVER')).toBe('UNSPECIFIED')
  })

  it.each([
    [[], 'running'],
    [['QUEUED', 'DONE'], 'running'],
    [['PENDING'], 'running'],
    [['DONE', 'DONE'], 'done'],
    [['DONE', 'TIMEOUT'], 'timeout'],
    [['PENDING', 'TIMEOUT'], 'timeout'],
  ] as const)('%j is %s', (statuses, outcome) => {
    const resources = appliedResources({
      resources: statuses.map((status, i) => ({ href: `/r/${i}`, status })),
    })
    expect(appliedOutcome(resources)).toBe(outcome)
  })
})

describe('condition tokens', () => {
  const jwt = (payload: object) =>
    `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`

  it('reads jti and exp without verifying, and nothing from a non-JWT', () => {
    expect(peekJwt(jwt({ jti: 'j1', exp: 100 }))).toEqual({ jti: 'j1', exp: 100 })
    expect(peekJwt('opaque')).toEqual({ jti: null, exp: null })
    expect(peekJwt(undefined)).toEqual({ jti: null, exp: null })
  })

  it('shows our jti, never the token, and no jti for a token of another issuer', () => {
    const wire = {
      id: 'k1',
      version: '1',
      name: 'n',
      enabled: true,
      configurationId: 'c1',
      apiAccessToken: jwt({ jti: 'ours', exp: 200 }),
    }
    const view = toConditionView(wire, (jti) => jti === 'ours')
    expect(view.tokenJti).toBe('ours')
    expect(view.tokenExpiresAt).toBe(200)
    expect(JSON.stringify(view)).not.toContain(wire.apiAccessToken)
    expect(toConditionView(wire, () => false).tokenJti).toBeNull()
  })
})
