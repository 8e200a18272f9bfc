// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { clientsCommands } from '../../electron/headless/commands/clients.js'
import type { CommandContext } from '../../electron/headless/commands/spec.js'
import { AppError } from '../../shared/errors.js'

/** `clients add --export`: what happens around the two method calls, with a fake transport. */

const add = clientsCommands.find((c) => c.words === 'clients add')!

function fakeContext(exportFails: boolean) {
  const calls: string[] = []
  let out = ''
  const ctx = {
    globals: { json: true },
    io: { out: (t: string) => (out += t), err: () => {} },
    call: (method: string) => {
      calls.push(method)
      if (method === 'clients.add') {
        return Promise.resolve({ client: { id: 'dps' }, clientSecret: 'the-one-time-secret' })
      }
      if (exportFails) return Promise.reject(new AppError('conflict', 'export broke'))
      throw new Error('not reached')
    },
  } as unknown as CommandContext
  return { ctx, calls, out: () => out }
}

const values = (extra: Record<string, unknown>) => ({
  id: 'dps',
  owner: '1',
  'allow-device-id': false,
  force: false,
  ...extra,
})

describe('clients add --export', () => {
  it('without --out: refused before any call, naming --out', async () => {
    const { ctx, calls } = fakeContext(false)
    await expect(add.run(ctx, values({ export: 'json' }), [])).rejects.toThrow(/--out FILE/)
    expect(calls).toEqual([])
  })

  it('when the export fails after the client was made, the secret is still printed', async () => {
    const { ctx, calls, out } = fakeContext(true)
    await expect(
      add.run(ctx, values({ export: 'json', out: '/nonexistent-dir/x.json' }), []),
    ).rejects.toThrow('export broke')
    expect(calls).toEqual(['clients.add', 'export.client'])
    expect(out()).toContain('the-one-time-secret')
  })
})
