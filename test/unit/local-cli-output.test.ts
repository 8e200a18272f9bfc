import { describe, expect, it } from 'vitest'
import { isoTime } from '../../electron/headless/output.js'
import type { LocalStatus } from '../../shared/contract/index.js'
import { describeStatus } from '../../electron/headless/commands/local.js'

const base: LocalStatus = {
  url: 'http://localhost:8080',
  running: true,
  initialized: true,
  mode: 'X509',
  remoteProvisioning: {
    mode: 'USER_AGENT',
    authority: null,
    hubId: 'hub-1',
    coapGateway: null,
    certificateAuthority: 'https://ca.lab',
    jwtOwnerClaim: null,
  },
  owner: 'alice',
  ours: {
    mode: 'X509',
    owner: 'alice',
    clientId: 'bench',
    hub: 'lab',
    initializedAt: 1_700_000_000,
  },
  version: 'v0.21.0',
  defaultDiscoveryTimeoutSeconds: 2,
  problems: [],
}

describe('local status without --json', () => {
  it('a ready client-application: mode, owner, what we initialised it with, and "ready"', () => {
    const text = describeStatus(base)
    expect(text).toContain('running (version v0.21.0), X509, initialised, owner alice')
    expect(text).toContain(
      'remote provisioning: USER_AGENT, hub hub-1, certificate-authority https://ca.lab',
    )
    expect(text).toContain(
      `X509 for owner alice with client bench, hub lab, ${isoTime(1_700_000_000)}`,
    )
    expect(text.trimEnd().split('\n').at(-1)).toBe('ready')
  })

  it('every problem on its own line with its fix, then "not ready"', () => {
    const text = describeStatus({
      ...base,
      running: false,
      mode: null,
      remoteProvisioning: null,
      ours: null,
      problems: [
        { problem: 'not_running', message: 'client-application is not running at X: start it' },
      ],
    })
    expect(text).toContain('client-application http://localhost:8080: not running\n')
    expect(text).toContain(
      'problem (not_running): client-application is not running at X: start it\n',
    )
    expect(text.trimEnd().split('\n').at(-1)).toBe('not ready')
  })
})
