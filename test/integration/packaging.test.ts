// @vitest-environment node
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

/**
 * electron-builder.yml as electron-builder itself reads and validates it (app-builder-lib's
 * getConfig + validateConfiguration; installers cannot be built offline), plus what the
 * security model needs of the package: fuses, asar, and the files the app loads at run time.
 */

interface FileSet {
  filter?: string[]
}

interface BuilderConfig {
  asar?: boolean | object | null
  files?: (string | FileSet)[] | null
  electronFuses?: Record<string, boolean> | null
}

interface ConfigModule {
  getConfig(
    projectDir: string,
    configPath: string | null,
    fromOptions: null,
  ): Promise<BuilderConfig>
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>
}

const requireFromHere = createRequire(__filename)
const ROOT = join(__dirname, '..', '..')
const { getConfig, validateConfiguration } = requireFromHere(
  'app-builder-lib/out/util/config/config',
) as ConfigModule
const { DebugLogger } = requireFromHere('builder-util') as {
  DebugLogger: new (enabled: boolean) => unknown
}
const { FileMatcher } = requireFromHere('app-builder-lib/out/fileMatcher') as {
  FileMatcher: new (
    from: string,
    to: string,
    macroExpander: (pattern: string) => string,
    patterns: string[],
  ) => { createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean }
}

let config: BuilderConfig

beforeAll(async () => {
  config = await getConfig(ROOT, 'electron-builder.yml', null)
})

/** Whether electron-builder's own file matcher packs a project file under `files`. */
function packs(file: string): boolean {
  const patterns = (config.files ?? []).flatMap((entry) =>
    typeof entry === 'string' ? [entry] : (entry.filter ?? []),
  )
  const filter = new FileMatcher(ROOT, ROOT, (p) => p, patterns).createFilter()
  return filter(join(ROOT, file), { isDirectory: () => false })
}

describe('electron-builder.yml', () => {
  it('is a valid configuration for the installed electron-builder', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('is rejected when wrong (the validation can fail)', async () => {
    const broken = { ...config, electronFuses: { runAsNod: false } }
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(
      /electronFuses/,
    )
  })

  it('flips the fuses: no run-as-node, app only from an integrity-checked asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    })
  })

  it('packs the app into an asar (the integrity fuse checks the asar)', () => {
    expect(config.asar).not.toBe(false)
  })

  it('packs the main entry and the console build', () => {
    const main = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string })
      .main
    expect(main).toBe('dist/node/electron/main.js')
    expect(packs(main)).toBe(true)
    expect(packs('dist/renderer/index.html')).toBe(true)
    expect(packs('dist/renderer/assets/index-abc.js')).toBe(true)
    expect(packs('package.json')).toBe(true)
  })

  it('packs the bundled preload main.ts loads (dist/preload/preload.js)', () => {
    expect(packs('dist/preload/preload.js')).toBe(true)
  })

  it('leaves out source maps and sources', () => {
    expect(packs('dist/node/electron/main.js.map')).toBe(false)
    expect(packs('electron/main.ts')).toBe(false)
    expect(packs('test/unit/ipc-transport.test.ts')).toBe(false)
  })
})
