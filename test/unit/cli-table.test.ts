// @vitest-environment node
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { runCommandLine } from '../../electron/headless/cli.js'
import {
  booleanFlags,
  checkValues,
  commandWords,
  findCommand,
  parseArgsOptions,
} from '../../electron/headless/command-line.js'
import { COMMANDS } from '../../electron/headless/commands/index.js'
import { GLOBAL_OPTIONS } from '../../electron/headless/commands/options.js'
import { methodCommand, option } from '../../electron/headless/commands/spec.js'
import { renderCommandHelp, renderUsage } from '../../electron/headless/usage.js'

/** The CLI driven through its table with a fake contract: what each command line calls. */

interface Call {
  method: string
  input: unknown
}

async function run(
  argv: string[],
  reply: (method: string, input: unknown) => unknown = () => ({}),
): Promise<{ code: number; out: string; err: string; calls: Call[] }> {
  let out = ''
  let err = ''
  const calls: Call[] = []
  const code = await runCommandLine([...argv, '--data-dir', scratch], {
    io: { out: (t) => void (out += t), err: (t) => void (err += t) },
    operation: (_globals, method, input) => {
      calls.push({ method, input })
      return Promise.resolve(reply(method, input))
    },
  })
  return { code, out, err, calls }
}

const scratch = mkdtempSync(join(tmpdir(), 'plgd-cli-table-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const client = {
  id: 'dps',
  owner: '1',
  allowedOwners: [],
  allowDeviceId: false,
  auth: { method: 'client_secret' },
  audiences: [],
  scopes: [],
  maxLifetimeSeconds: 3600,
  extraClaims: {},
  tokenType: 'JWT',
  disabled: false,
  createdAt: 0,
  updatedAt: 0,
  secrets: [],
}

/** What settings.update answers when nothing needs a restart and the issuer URL stays. */
const settingsSet = { effects: { restartNeeded: [], authority: null } }

describe('the command table', () => {
  it('names each command once', () => {
    const words = COMMANDS.map((c) => c.words)
    expect(new Set(words).size).toBe(words.length)
  })

  it('documents every option and gives every command an example that parses', () => {
    for (const command of COMMANDS) {
      for (const [name, spec] of Object.entries(command.options)) {
        expect(spec.help.length, `${command.words} --${name}`).toBeGreaterThan(5)
      }
      for (const example of command.examples) {
        expect(example.startsWith(`${command.words} `) || example === command.words).toBe(true)
        const parsed = parseArgs({
          args: example.split(' '),
          options: { ...parseArgsOptions(GLOBAL_OPTIONS), ...parseArgsOptions(command.options) },
          allowPositionals: true,
          strict: true,
        })
        const args = parsed.positionals.slice(command.words.split(' ').length)
        const expected = command.args === undefined ? 0 : command.args.many ? args.length : 1
        expect(args, example).toHaveLength(expected)
        expect(() => checkValues(command.options, parsed.values), example).not.toThrow()
      }
    }
  })

  it('takes --trusted-authority and --trusted-ca on both commands that trust authorities', () => {
    for (const words of ['clients add', 'settings set']) {
      const command = COMMANDS.find((c) => c.words === words)!
      expect(command.options['trusted-authority']).toMatchObject({ alias: 'trust-authority' })
      expect(command.options['trusted-ca']).toMatchObject({ alias: 'trust-ca' })
    }
  })
})

describe('finding the command words', () => {
  const flags = booleanFlags(COMMANDS)

  it('knows every flag of the table as taking no value, and no other option', () => {
    for (const command of COMMANDS) {
      const words = command.words.split(' ')
      for (const [name, spec] of Object.entries({ ...GLOBAL_OPTIONS, ...command.options })) {
        const before = spec.kind === 'flag' ? [`--${name}`] : [`--${name}`, 'VALUE']
        expect(commandWords([...before, ...words], flags), `--${name}`).toEqual(words)
      }
    }
    expect([...flags]).toEqual(expect.arrayContaining(['--json', '--help', '-h', '--version']))
    expect(flags.has('--data-dir')).toBe(false)
  })

  it('prefers a two-word command and falls back to one word', () => {
    expect(findCommand(COMMANDS, ['clients', 'add'])?.words).toBe('clients add')
    expect(findCommand(COMMANDS, ['serve', 'extra'])?.words).toBe('serve')
    expect(findCommand(COMMANDS, ['clients', 'frobnicate'])).toBeUndefined()
  })
})

describe('checking values by the table', () => {
  const options = {
    port: option.integer('port', 'a port'),
    lifetime: option.integer('seconds', 'a lifetime'),
    limit: option.integer('count', 'a limit'),
    id: option.required('ID', 'an id'),
    alg: option.choice(['ES256', 'RS256'], 'an algorithm'),
    authority: { ...option.list('URL', 'authorities'), alias: 'trust' },
    ca: { ...option.text('FILE', 'a CA'), alias: 'old-ca' },
  }

  it('names the option and what it takes in each error', () => {
    const base = { id: 'x' }
    expect(() => checkValues(options, { ...base, port: 'abc' })).toThrow(
      '--port takes a port number (0-65535), not abc',
    )
    expect(() => checkValues(options, { ...base, port: '65536' })).toThrow('--port takes a port')
    expect(() => checkValues(options, { ...base, lifetime: '1.5' })).toThrow(
      '--lifetime takes a whole number of seconds, not 1.5',
    )
    expect(() => checkValues(options, { ...base, limit: '-1' })).toThrow(
      '--limit takes a whole number, not -1',
    )
    expect(() => checkValues(options, { ...base, alg: 'HS256' })).toThrow(
      '--alg takes one of ES256, RS256, not HS256',
    )
    expect(() => checkValues(options, { id: '' })).toThrow('--id is required')
  })

  it('converts integers and joins an alias to its option', () => {
    const values = checkValues(options, {
      id: 'x',
      port: '0',
      lifetime: '3600',
      authority: ['https://a.example'],
      trust: ['https://b.example'],
      'old-ca': 'ca.pem',
    })
    expect(values).toMatchObject({
      port: 0,
      lifetime: 3600,
      authority: ['https://a.example', 'https://b.example'],
      ca: 'ca.pem',
    })
    expect(values.limit).toBeUndefined()
  })
})

describe('command lines to contract calls', () => {
  it('maps clients add options to the clients.add input', async () => {
    const r = await run(
      [
        'clients',
        'add',
        '--id',
        'dps',
        '--owner',
        '1',
        '--audience',
        'a',
        '--audience',
        'b',
        '--lifetime',
        '600',
        '--claim',
        'tier=2',
        '--claim',
        'zone=eu',
        '--typ',
        'at+jwt',
        '--allowed-owner',
        '2',
        '--allow-device-id',
      ],
      () => ({ client, clientSecret: 's3cret' }),
    )
    expect(r.code, r.err).toBe(0)
    expect(r.calls).toEqual([
      {
        method: 'clients.add',
        input: {
          id: 'dps',
          owner: '1',
          allowedOwners: ['2'],
          allowDeviceId: true,
          auth: { method: 'client_secret' },
          audiences: ['a', 'b'],
          scopes: [],
          maxLifetimeSeconds: 600,
          extraClaims: { tier: 2, zone: 'eu' },
          tokenType: 'at+jwt',
        },
      },
    ])
    expect(r.out).toContain('client secret: s3cret')
  })

  it('reads --trusted-authority and its old name --trust-authority alike', async () => {
    const caFile = join(scratch, 'ca.pem')
    writeFileSync(caFile, 'PEM')
    const auth = {
      method: 'user_assertion',
      authorities: [{ authority: 'https://auth.example', caPem: 'PEM' }],
    }
    for (const [authority, ca] of [
      ['--trusted-authority', '--trusted-ca'],
      ['--trust-authority', '--trust-ca'],
    ] as const) {
      const add = await run(
        ['clients', 'add', '--id', 'ui', authority, 'https://auth.example', ca, caFile],
        () => ({ client }),
      )
      expect(add.code, add.err).toBe(0)
      expect(add.calls[0]?.input).toMatchObject({ owner: '', auth })
      const set = await run(
        ['settings', 'set', authority, 'https://auth.example', ca, caFile],
        () => settingsSet,
      )
      expect(set.code, set.err).toBe(0)
      expect(set.calls[0]).toEqual({
        method: 'settings.update',
        input: { trustedAuthorities: auth.authorities },
      })
    }
  })

  it("settings set --trusted-authority '' clears the list; no option at all is an error", async () => {
    const cleared = await run(['settings', 'set', '--trusted-authority', ''], () => settingsSet)
    expect(cleared.code, cleared.err).toBe(0)
    expect(cleared.calls[0]?.input).toEqual({ trustedAuthorities: [] })
    const nothing = await run(['settings', 'set', '--json'])
    expect(nothing.code).toBe(1)
    expect(nothing.calls).toEqual([])
    expect(JSON.parse(nothing.err)).toMatchObject({ error: { code: 'invalid_input' } })
  })

  it('maps token issue --device-id and --owner, and settings set --listen-host', async () => {
    const issue = await run(
      ['token', 'issue', '--client', 'dps', '--device-id', 'd1', '--owner', '2', '--json'],
      () => ({ accessToken: 't', expiresIn: 1, expiresAt: 1, jti: 'j' }),
    )
    expect(issue.calls[0]?.input).toMatchObject({ clientId: 'dps', deviceId: 'd1', owner: '2' })
    const set = await run(
      ['settings', 'set', '--listen-host', '0.0.0.0', '--port', '9443'],
      () => settingsSet,
    )
    expect(set.code, set.err).toBe(0)
    expect(set.calls[0]?.input).toEqual({ listenHost: '0.0.0.0', port: 9443 })
  })

  it('reports a bad value naming its option, before calling anything', async () => {
    const r = await run(['settings', 'set', '--port', 'abc'])
    expect(r.code).toBe(1)
    expect(r.calls).toEqual([])
    expect(r.err).toBe('error: --port takes a port number (0-65535), not abc (invalid_input)\n')
  })

  it('prints clientId and clientSecret at the top level with --json; no secret, no field', async () => {
    const withSecret = await run(['clients', 'rotate-secret', 'dps', '--json'], () => ({
      client,
      clientSecret: 's',
    }))
    expect(JSON.parse(withSecret.out)).toEqual({ clientId: 'dps', clientSecret: 's', client })
    const without = await run(
      ['clients', 'add', '--id', 'dps', '--jwks-uri', 'https://j', '--json'],
      () => ({
        client,
      }),
    )
    expect(JSON.parse(without.out)).toEqual({ clientId: 'dps', client })
  })

  it('exits 3 when audit verify finds the chain broken', async () => {
    const broken = await run(['audit', 'verify'], () => ({ ok: false, entries: 4, brokenAt: 2 }))
    expect(broken.code).toBe(3)
    expect(broken.out).toContain('breaks at entry 2')
    const intact = await run(['audit', 'verify'], () => ({ ok: true, entries: 4 }))
    expect(intact.code).toBe(0)
  })

  it('refuses a wrong number of arguments or an unknown option with exit 2', async () => {
    for (const argv of [
      ['clients', 'show'],
      ['clients', 'show', 'a', 'b'],
      ['token', 'revoke'],
      ['clients', 'list', 'x'],
      ['clients', 'list', '--bogus'],
      ['clients', 'list', '--vault', 'plaintext'],
    ]) {
      const r = await run(argv)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.calls).toEqual([])
    }
    const revoke = await run(['token', 'revoke', 'j1', 'j2'], () => ({ blacklistedCount: 2 }))
    expect(revoke.calls[0]?.input).toEqual({ ids: ['j1', 'j2'] })
  })

  it('finds the command after global options', async () => {
    const r = await run(['--json', '--vault', 'keychain', 'clients', 'list'], () => [])
    expect(r.calls).toEqual([{ method: 'clients.list', input: {} }])
  })
})

describe('help', () => {
  it('--help on a command prints that command, generated from its entry', async () => {
    const r = await run(['clients', 'add', '--help'])
    const command = COMMANDS.find((c) => c.words === 'clients add')!
    expect(r.code).toBe(0)
    expect(r.out).toBe(renderCommandHelp(command))
    expect(r.out.startsWith('Usage: plgd-m2m-console clients add --id ID [options]\n')).toBe(true)
    for (const label of ['--allow-device-id', '--trusted-authority URL...', '--data-dir DIR'])
      expect(r.out).toContain(label)
    expect(r.out).not.toContain('token revoke')
    expect((await run(['help', 'clients', 'add'])).out).toBe(r.out)
  })

  it('--help alone lists every command', async () => {
    const r = await run(['--help'])
    expect(r.out).toBe(renderUsage(COMMANDS))
    for (const command of COMMANDS) expect(r.out).toContain(`  ${command.words}`)
  })
})

// Compile-time checks (tsc -p tsconfig.test.json): an entry's input is typed by its method.
export const typedByTheMethod = [
  methodCommand({
    words: 'x',
    summary: 'x',
    options: {},
    examples: ['x'],
    method: 'clients.get',
    // @ts-expect-error clients.get takes `id`, not `clientId`
    input: () => ({ clientId: 'dps' }),
    human: () => '',
  }),
  methodCommand({
    words: 'x',
    summary: 'x',
    options: { grace: option.integer('seconds', 'grace') },
    examples: ['x'],
    method: 'clients.get',
    // @ts-expect-error an integer option's value is a number, and `id` is a string
    input: (v) => ({ id: v.grace }),
    human: () => '',
  }),
  methodCommand({
    words: 'x',
    summary: 'x',
    options: {},
    examples: ['x'],
    method: 'audit.verify',
    input: () => ({}),
    // @ts-expect-error audit.verify answers an AuditVerification, which has no `items`
    human: (v) => String(v.items),
  }),
]
