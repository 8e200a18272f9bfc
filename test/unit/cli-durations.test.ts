// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { runCommandLine } from '../../electron/headless/cli.js'

/** Every lifetime and grace option takes a duration as people type it (issue 17, item 3). */

async function run(argv: string[]) {
  const calls: { method: string; input: Record<string, unknown> }[] = []
  let err = ''
  const code = await runCommandLine(
    [...argv, '--json', '--data-dir', '/nonexistent-cli-durations'],
    {
      io: { out: () => undefined, err: (t) => void (err += t) },
      operation: (_globals, method, input) => {
        calls.push({ method, input: input as Record<string, unknown> })
        return Promise.resolve(
          method === 'conditions.create'
            ? { condition: { id: 'c' }, tokenJti: 'j' }
            : method.startsWith('clients.')
              ? { client: { id: 'dps' }, clientSecret: 's' }
              : {},
        )
      },
    },
  )
  return { code, calls, err }
}

describe('CLI duration options', () => {
  it.each([
    [['token', 'issue', '--client', 'dps', '--lifetime', '15m'], 'lifetimeSeconds', 900],
    [['token', 'issue', '--client', 'dps', '--lifetime', '600'], 'lifetimeSeconds', 600],
    [
      ['clients', 'add', '--id', 'dps', '--owner', '1', '--lifetime', '1h'],
      'maxLifetimeSeconds',
      3600,
    ],
    [['clients', 'update', 'dps', '--max-lifetime', '15m'], 'maxLifetimeSeconds', 900],
    [['clients', 'rotate-secret', 'dps', '--grace', '10m'], 'graceSeconds', 600],
    [['clients', 'rotate-secret', 'dps', '--grace', '0'], 'graceSeconds', 0],
    [['settings', 'set', '--max-lifetime', '1d'], 'maxLifetimeSeconds', 86_400],
    [['settings', 'set', '--iat-backdate', '30s'], 'iatBackdateSeconds', 30],
    [
      [
        'conditions',
        'create',
        '--hub',
        'lab',
        '--config',
        'c',
        '--name',
        'n',
        '--client',
        's',
        '--token-lifetime',
        '7d',
      ],
      'tokenLifetimeSeconds',
      604_800,
    ],
  ])('%j sends %s = %i', async (argv, field, seconds) => {
    const { code, calls, err } = await run(argv)
    expect(err).toBe(err.startsWith('warning') ? err : '')
    expect(code).toBe(0)
    expect(calls[0]!.input[field]).toBe(seconds)
  })

  it.each([
    [['token', 'issue', '--client', 'dps', '--lifetime', '0'], '--lifetime must be longer than 0'],
    [['token', 'issue', '--client', 'dps', '--lifetime=-900'], '--lifetime takes a duration'],
    [['token', 'issue', '--client', 'dps', '--lifetime', '9.5'], '--lifetime takes a duration'],
    [
      ['clients', 'add', '--id', 'dps', '--owner', '1', '--lifetime', '15x'],
      '--lifetime takes a duration',
    ],
    [['settings', 'set', '--max-lifetime', '0'], '--max-lifetime must be longer than 0'],
    [
      ['token', 'issue', '--client', 'dps', '--lifetime', '400d'],
      '--lifetime 400d is over the longest lifetime allowed, 365d',
    ],
  ])('%j is refused naming the option, calling nothing', async (argv, message) => {
    const { code, calls, err } = await run(argv)
    expect(code).not.toBe(0)
    expect(err).toContain(message)
    expect(err).not.toMatch(/lifetimeSeconds|Seconds/)
    expect(calls).toEqual([])
  })
})
