// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { runCommandLine } from '../../electron/headless/cli.js'
import { COMMANDS } from '../../electron/headless/commands/index.js'
import { describeClient, isoTime } from '../../electron/headless/output.js'
import { PASSPHRASE_PROMPT } from '../../electron/headless/passphrase.js'
import { formatTime } from '../../renderer/src/lib/format.js'
import type { ClientView, TokenRecordView } from '../../shared/contract/index.js'

/** The CLI and the console agree (issue 17, item 12). */

async function run(argv: string[], value: unknown = {}) {
  let out = ''
  const code = await runCommandLine([...argv, '--data-dir', '/nonexistent-cli-agrees'], {
    io: { out: (t) => void (out += t), err: (t) => void (out += t) },
    operation: () => Promise.resolve(value),
  })
  return { code, out }
}

const T = 1_767_225_600

describe('the CLI and the console agree', () => {
  it('print a time in one format: local time with its offset, the same in both', () => {
    expect(isoTime(T)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d$/)
    expect(formatTime(T)).toBe(isoTime(T))
    const back = new Date(isoTime(T).replace(' ', 'T').replace(' ', '')).getTime() / 1000
    expect(back).toBe(T)
  })

  it('token list shows each token’s name', async () => {
    const token = {
      id: 'jti-1',
      name: 'station 7',
      owner: 'o',
      clientId: 'dps',
      expiration: T,
      blacklisted: null,
    } as Partial<TokenRecordView>
    const { code, out } = await run(['token', 'list'], { items: [token], total: 1 })
    expect(code).toBe(0)
    expect(out.split('\n')[0]).toMatch(/^JTI\s+NAME\s+CLIENT/)
    expect(out).toContain('station 7')
  })

  it('clients show says what a dated secret is: the previous one, in its rotation grace', () => {
    const client = {
      id: 'dps',
      owner: '1',
      auth: { method: 'client_secret' },
      allowedOwners: [],
      allowDeviceId: false,
      disabled: false,
      audiences: [],
      scopes: [],
      maxLifetimeSeconds: 3600,
      tokenType: 'JWT',
      extraClaims: {},
      secrets: [
        { createdAt: T, expiresAt: null },
        { createdAt: T - 10, expiresAt: T + 600 },
      ],
    } as unknown as ClientView
    expect(describeClient(client)).toContain(
      `current, previous secret, accepted until ${isoTime(T + 600)} (rotation grace)`,
    )
    // As on the console, a disabled client's secret is not shown as current.
    expect(describeClient({ ...client, disabled: true })).toContain(
      'not usable: the client is disabled,',
    )
  })

  it('the terminal passphrase prompt states the minimum', () => {
    expect(PASSPHRASE_PROMPT).toMatch(/at least 8 characters/)
  })
})

describe('per-command help', () => {
  it.each(COMMANDS.map((c) => c.words))(
    '%s --help prints its own usage and calls nothing',
    async (words) => {
      let calls = 0
      let out = ''
      const code = await runCommandLine([...words.split(' '), '--help'], {
        io: { out: (t) => void (out += t), err: (t) => void (out += t) },
        operation: () => {
          calls += 1
          return Promise.resolve({})
        },
      })
      expect(code).toBe(0)
      expect(out).toContain(words)
      expect(out.toLowerCase()).toContain('usage')
      expect(calls).toBe(0)
    },
  )
})
