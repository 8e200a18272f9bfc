import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

/**
 * The import rules of eslint.config.mjs, run through ESLint itself on one snippet per rule: a
 * forbidden import must be reported (with the reason), an allowed one must not, so the rules
 * cannot silently stop matching after an edit of the config.
 */

const ROOT = join(__dirname, '..', '..')
const eslint = new ESLint({ cwd: ROOT })

/** The no-restricted-imports messages for `import … from specifier` in a file at `filePath`. */
async function restricted(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as m from '${specifier}'\nexport { m }\n`, {
    filePath: join(ROOT, filePath),
  })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

// [file, import, why the report must say]
const forbidden: [string, string, RegExp][] = [
  ['electron/platform/x.ts', '../oauth/token-service.js', /adapters .* import none/],
  ['electron/platform/x.ts', '../app.js', /adapters .* import none/],
  ['electron/platform/sub/x.ts', '../../ledger/token-ledger.js', /adapters .* import none/],
  ['electron/platform/electron-x.ts', '../keys/key-ring.js', /adapters .* import none/],
  ['electron/net/x.ts', '../keys/key-ring.js', /adapters .* import none/],
  ['electron/net/x.ts', '../api/dispatcher.js', /adapters .* import none/],
  ['electron/keys/x.ts', '../ledger/token-ledger.js', /never writes the ledger/],
  ['electron/ledger/x.ts', '../clients/client-record.js', /store keeps to its own records/],
  ['electron/clients/x.ts', '../keys/key-ring.js', /store keeps to its own records/],
  ['electron/oauth/x.ts', '../headless/cli.js', /call inwards/],
  ['electron/issuer/x.ts', '../desktop/menu.js', /call inwards/],
  ['electron/oauth/x.ts', 'electron', /only main\.ts, preload\.ts, desktop\/ and platform/],
  ['electron/platform/x.ts', 'electron', /only main\.ts/],
  ['electron/api/x.ts', 'electron', /only main\.ts/],
  ['electron/app.ts', 'electron', /only main\.ts/],
  ['electron/issuer/x.ts', '../../renderer/src/api/transport', /never imports the renderer/],
  ['shared/x.ts', 'node:fs', /runtime-neutral/],
  ['renderer/src/x.ts', 'node:fs', /no Node modules/],
  ['renderer/src/x.ts', '../../electron/app', /through the contract only/],
]

const allowed: [string, string][] = [
  ['electron/main.ts', 'electron'],
  ['electron/preload.ts', 'electron'],
  ['electron/desktop/x.ts', 'electron'],
  ['electron/platform/electron-x.ts', 'electron'],
  ['electron/platform/x.ts', './logger.js'],
  ['electron/platform/x.ts', '../../shared/constants.js'],
  ['electron/net/x.ts', '../platform/logger.js'],
  ['electron/keys/x.ts', '../secrets/sealed-box.js'],
  ['electron/issuer/x.ts', '../keys/signer.js'],
  ['electron/issuer/x.ts', '../ledger/token-ledger.js'],
  ['electron/oauth/x.ts', '../net/http-client.js'],
  ['electron/api/x.ts', '../oauth/token-service.js'],
  ['electron/headless/x.ts', '../api/dispatcher.js'],
]

describe('import rules', () => {
  it.each(forbidden)('%s may not import %s', async (file, specifier, why) => {
    const messages = await restricted(file, specifier)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatch(why)
  })

  it.each(allowed)('%s may import %s', async (file, specifier) => {
    expect(await restricted(file, specifier)).toEqual([])
  })

  it('place every folder of electron/ as a domain, an adapter or an entry point', async () => {
    const configFile = join(ROOT, 'eslint.config.mjs')
    const { ADAPTERS, DOMAINS, ENTRY_POINTS } = (await import(configFile)) as Record<
      string,
      string[]
    >
    const folders = readdirSync(join(ROOT, 'electron'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
    const placed = new Set([...DOMAINS!, ...ADAPTERS!, ...ENTRY_POINTS!])
    expect(folders.filter((folder) => !placed.has(folder))).toEqual([])
  })
})
